import AWSClient
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

/// Finds every distribution with an origin on a bucket (REST or website endpoint, any form), mapping OriginPath to
/// the key prefix it serves, in the function's own account and in each account of `DISCOVERY_ROLE_ARNS` (listed
/// through that role, and invalidated through it). One listing of the accounts serves every bucket for `ttlSeconds`
/// in a warm container.
///
/// A multi-tenant distribution is never a target itself: viewers reach it through its tenants, so each tenant whose
/// origin, with the tenant's parameters substituted for `{{name}}`, is the bucket is a target of its own, serving the
/// prefix its origin path resolves to. A change under `acme/` then reaches only the tenant whose origin path is
/// `/acme`. A tenant whose origin cannot be resolved (a parameter without a value) is left out with a warning: its
/// prefix is unknown, and guessing would invalidate another tenant's content.
public actor DistributionDiscovery {
    struct Distribution {
        var id: String
        var enabled: Bool
        var origins: [DistributionOrigin]
        /// The role its account was listed through; nil for the function's own account.
        var roleArn: String?
        /// A multi-tenant distribution's tenants; nil for a standard distribution.
        var tenants: [Tenant]?
    }

    struct Tenant {
        var id: String
        var enabled: Bool
        /// The distribution's origins with this tenant's parameters in.
        var origins: [TenantOrigin]
    }

    let clients: TargetClients
    let settings: DiscoverySettings
    let logger: Logger
    var snapshot: (takenAt: Date, distributions: [Distribution])?
    var reportedMissing: [String: Date] = [:]
    /// Listings made, for tests and logs.
    public private(set) var listings = 0

    public init(clients: TargetClients, settings: DiscoverySettings, logger: Logger) {
        self.clients = clients
        self.settings = settings
        self.logger = logger
    }

    public init(cloudFront: CloudFrontClient, settings: DiscoverySettings, logger: Logger) {
        self.init(clients: TargetClients(own: cloudFront), settings: settings, logger: logger)
    }

    /// The TTLs run on the client's clock, the one every wait and deadline uses.
    func now() -> Date { clients.clock.now() }

    /// - Parameter session: names the role sessions of `DISCOVERY_ROLE_ARNS`' listings.
    public func targets(
        bucket: String, context: AWSCallContext = AWSCallContext(), session: String = "init"
    ) async throws(AWSError) -> [DistributionTarget] {
        var found: Set<DistributionTarget> = []
        for distribution in try await distributions(context: context, session: session)
        where distribution.enabled || settings.includeDisabled {
            guard let tenants = distribution.tenants else {
                for origin in distribution.origins where S3OriginDomain.matches(origin.domainName, bucket: bucket) {
                    found.insert(
                        DistributionTarget(
                            .distribution(distribution.id, roleArn: distribution.roleArn),
                            originPath: origin.originPath))
                }
                continue
            }
            for tenant in tenants where tenant.enabled || settings.includeDisabled {
                for origin in tenant.origins where origin.serves(bucket: bucket) {
                    found.insert(
                        DistributionTarget(
                            .tenant(tenant.id, roleArn: distribution.roleArn), originPath: origin.originPath))
                }
            }
        }
        return found.sorted()
    }

    /// True once per TTL for a bucket that no distribution serves, so that a stream of its records logs one line
    /// per TTL, not one per invocation.
    public func shouldReportMissing(bucket: String) -> Bool {
        let current = now()
        if let last = reportedMissing[bucket], current.timeIntervalSince(last) < Double(settings.ttlSeconds) {
            return false
        }
        reportedMissing[bucket] = current
        return true
    }

    /// Every account's distributions: the snapshot while it is fresh, else a new listing of each account. A failure
    /// in any account fails the lookup (the caller hands its changes back): a bucket served from the account that
    /// could not be read must not be acknowledged as served by nothing.
    func distributions(context: AWSCallContext, session: String) async throws(AWSError) -> [Distribution] {
        let current = now()
        if let snapshot, current.timeIntervalSince(snapshot.takenAt) < Double(settings.ttlSeconds) {
            return snapshot.distributions
        }
        var distributions: [Distribution] = []
        for roleArn in [nil] + settings.roleArns.map(Optional.some) {
            let cloudFront = try await clients.client(roleArn: roleArn, session: session, context: context)
            distributions += try await list(cloudFront, roleArn: roleArn, context: context)
        }
        listings += 1
        snapshot = (current, distributions)
        return distributions
    }

    /// One account's distributions: the standard ones (`ListDistributions`), then the multi-tenant ones
    /// (`ListDistributionsByConnectionMode`, `tenant-only`) with their tenants. CloudFront's reference leaves open
    /// whether the first listing holds the second's, so both are read and merged by id.
    func list(
        _ cloudFront: CloudFrontClient, roleArn: String?, context: AWSCallContext
    ) async throws(AWSError) -> [Distribution] {
        var distributions: [Distribution] = []
        var seen = Set<String>()
        var pages = 0
        for mode in [nil, ConnectionMode.tenantOnly] {
            var marker: String?
            repeat {
                let page: DistributionListPage
                if let mode {
                    guard let listed = try await multiTenantPage(cloudFront, mode, marker, roleArn, context) else {
                        break
                    }
                    page = listed
                } else {
                    page = try await cloudFront.listDistributions(marker: marker, context: context)
                }
                pages += 1
                for summary in page.distributions where seen.insert(summary.id).inserted {
                    distributions.append(
                        try await distribution(summary, multiTenant: mode != nil, cloudFront, roleArn, context))
                }
                marker = page.nextMarker
            } while marker != nil && pages < 1000
        }
        logger.debug(
            "listed distributions",
            [
                "account": roleArn.flatMap(CloudFrontTarget.account(ofRoleArn:)) ?? "own",
                "distributions": String(distributions.count), "pages": String(pages),
            ])
        return distributions
    }

    /// A page of the account's multi-tenant distributions, or nil when the account cannot be asked: an endpoint
    /// that does not know the operation (a partition without multi-tenant distributions, a local stand-in), or a role
    /// without `cloudfront:ListDistributionsByConnectionMode` (a deployment from before tenants). Then its standard
    /// distributions are still served, with one warning per listing: failing the whole lookup would leave every
    /// bucket stale for the sake of tenants the account may not have.
    func multiTenantPage(
        _ cloudFront: CloudFrontClient, _ mode: ConnectionMode, _ marker: String?, _ roleArn: String?,
        _ context: AWSCallContext
    ) async throws(AWSError) -> DistributionListPage? {
        do {
            return try await cloudFront.listDistributions(connectionMode: mode, marker: marker, context: context)
        } catch
            where error.statusCode == 404 || error.code.hasPrefix("AccessDenied")
            || ["InvalidAction", "NotImplemented", "UnknownOperationException"].contains(error.code)
        {
            logger.warn(
                "multi-tenant distributions not listed; their tenants are not discovered",
                [
                    "account": roleArn.flatMap(CloudFrontTarget.account(ofRoleArn:)) ?? "own",
                    "hint": error.code.hasPrefix("AccessDenied")
                        ? "grant cloudfront:ListDistributionsByConnectionMode" : "the endpoint does not offer it",
                    "error": error.description,
                ])
            return nil
        }
    }

    /// One listed distribution, with what its summary leaves out: moto's summaries (and any without `Origins`)
    /// leave us to ask for the configuration, and a multi-tenant one's configuration holds the parameters' defaults.
    func distribution(
        _ summary: DistributionSummary, multiTenant: Bool, _ cloudFront: CloudFrontClient, _ roleArn: String?,
        _ context: AWSCallContext
    ) async throws(AWSError) -> Distribution {
        var distribution = Distribution(
            id: summary.id, enabled: summary.enabled ?? false, origins: summary.origins ?? [], roleArn: roleArn)
        let isMultiTenant = multiTenant || summary.isMultiTenant
        guard summary.origins == nil || summary.enabled == nil || isMultiTenant else { return distribution }
        let config = try await cloudFront.getDistributionConfig(id: summary.id, context: context)
        distribution.enabled = summary.enabled ?? config.enabled
        distribution.origins = summary.origins ?? config.origins
        if isMultiTenant || config.isMultiTenant {
            distribution.tenants = try await tenants(
                of: distribution, defaults: config.tenantParameters, cloudFront: cloudFront, context: context)
        }
        return distribution
    }

    /// A multi-tenant distribution's tenants, each with the distribution's origins resolved for it.
    func tenants(
        of distribution: Distribution, defaults: [TenantParameterDefinition], cloudFront: CloudFrontClient,
        context: AWSCallContext
    ) async throws(AWSError) -> [Tenant] {
        var tenants: [Tenant] = []
        var marker: String?
        var pages = 0
        repeat {
            let page = try await cloudFront.listDistributionTenants(
                distributionId: distribution.id, marker: marker, context: context)
            pages += 1
            for summary in page.tenants {
                let tenant = try await cloudFront.getDistributionTenant(id: summary.id, context: context)
                let values = tenant.parameterValues(withDefaults: defaults)
                tenants.append(
                    Tenant(
                        id: summary.id, enabled: summary.enabled ?? true,
                        origins: resolved(distribution.origins, values: values, tenant: summary.id)))
            }
            marker = page.nextMarker
        } while marker != nil && pages < 1000
        return tenants
    }

    /// The origins with a tenant's values in; one that cannot be resolved is left out with a warning.
    func resolved(_ origins: [DistributionOrigin], values: [String: String], tenant: String) -> [TenantOrigin] {
        origins.compactMap { origin in
            switch TenantOrigin.resolve(
                domainName: origin.domainName, originPath: origin.originPath, parameters: values)
            {
            case .success(let resolved):
                return resolved
            case .failure(let problem):
                logger.warn(
                    "a tenant's origin cannot be resolved; its changes are not invalidated through this origin",
                    ["tenant": tenant, "origin": origin.id, "problem": problem.description])
                return nil
            }
        }
    }
}

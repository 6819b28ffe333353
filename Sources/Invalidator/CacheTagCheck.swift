import AWSClient
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

/// Confirms, per distribution, that CloudFront stores the tags the deploy sets: its `CacheTagConfig` names
/// `CACHE_TAG_HEADER`. A distribution without one stores no tags, and an invalidation by tag then purges nothing
/// while CloudFront reports it created: content left stale in silence. So tags are used only where this says so,
/// and everything else is invalidated by path.
///
/// One `GetDistributionConfig` per distribution serves a warm container for `ttlSeconds`, like discovery's listing;
/// an unconfirmed distribution is warned about when it is checked, so once per TTL, not once per batch. A failed
/// check is an answer too (unconfirmed, for the TTL): it must never fail a batch, whose changes can always be
/// invalidated by path.
///
/// A distribution tenant stores tags as its multi-tenant distribution is configured to: its check reads the tenant
/// (`GetDistributionTenant`) for that distribution, then the distribution's configuration, through the target's role.
public actor CacheTagCheck {
    /// What a check found.
    public enum Verdict: Sendable, Equatable {
        case confirmed
        /// Why tags are not used for the distribution.
        case unconfirmed(String)

        public var isConfirmed: Bool { self == .confirmed }
    }

    let clients: TargetClients
    let settings: CacheTagSettings
    var verdicts: [CloudFrontTarget: (checkedAt: Date, verdict: Verdict)] = [:]
    /// `GetDistributionConfig` calls made, for tests.
    public private(set) var checks = 0

    public init(clients: TargetClients, settings: CacheTagSettings) {
        self.clients = clients
        self.settings = settings
    }

    public init(cloudFront: CloudFrontClient, settings: CacheTagSettings) {
        self.init(clients: TargetClients(own: cloudFront), settings: settings)
    }

    /// A distribution's verdict, through the function's own credentials.
    public func verdict(
        distributionId: String, logger: Logger?, context: AWSCallContext = AWSCallContext()
    ) async -> Verdict {
        await verdict(target: .distribution(distributionId), logger: logger, context: context, session: "")
    }

    /// The distribution's verdict, from the cache while it is fresh; a fresh unconfirmed verdict is logged as one
    /// warning naming the distribution and why (nil `logger`: the caller says it its own way, as the command line
    /// does).
    /// - Parameter session: names the role session when the target is reached through a role.
    public func verdict(
        target: CloudFrontTarget, logger: Logger?, context: AWSCallContext = AWSCallContext(), session: String
    ) async -> Verdict {
        let now = clients.clock.now()
        if let known = verdicts[target],
            now.timeIntervalSince(known.checkedAt) < Double(settings.ttlSeconds)
        {
            return known.verdict
        }
        let verdict: Verdict
        do {
            checks += 1
            let cloudFront = try await clients.client(for: target, session: session, context: context)
            var distributionId = target.distributionId ?? ""
            if let tenantId = target.tenantId {
                distributionId = try await cloudFront.getDistributionTenant(id: tenantId, context: context)
                    .distributionId
            }
            let config = try await cloudFront.getDistributionConfig(id: distributionId, context: context)
            verdict = Self.verdict(header: config.cacheTagHeader, expected: settings.header)
        } catch {
            let denied = error.code.hasPrefix("AccessDenied")
            verdict = .unconfirmed(
                "its configuration could not be read (\(error))"
                    + (denied ? "; cloudfront:GetDistributionConfig on it is needed" : ""))
        }
        verdicts[target] = (now, verdict)
        if case .unconfirmed(let reason) = verdict, let logger {
            logger.warn(
                "cache tags not used for \(target.tenantId == nil ? "distribution" : "tenant") \(target.resourceKey): "
                    + "\(reason); its changes are invalidated by path", ["distribution": target.key])
        }
        return verdict
    }

    /// Whether a distribution whose `CacheTagConfig.HeaderName` is `header` (nil: no `CacheTagConfig`) stores the
    /// tags the deploy sets in `expected`.
    public static func verdict(header: String?, expected: String) -> Verdict {
        guard let header else {
            return .unconfirmed(
                "it has no CacheTagConfig, so CloudFront stores no cache tags for it and an invalidation by tag "
                    + "would purge nothing (set DistributionConfig.CacheTagConfig.HeaderName to \(expected))")
        }
        guard header.lowercased() == expected.lowercased() else {
            return .unconfirmed(
                "its CacheTagConfig reads tags from header \(header), not from \(expected), the header the deploy "
                    + "sets (CACHE_TAG_HEADER)")
        }
        return .confirmed
    }
}

import AWSClient
import Formats
import InvalidationCore
import Invalidator
import LambdaRuntime

extension Doctor {
    /// CloudFront's limits on invalidations in progress per distribution
    /// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html).
    static let inProgressPathLimit = 3000
    static let inProgressWildcardLimit = 15

    /// What the doctor expects of one distribution: the buckets it serves, each under which key prefix (nil:
    /// unknown, when no function configuration says).
    struct Expectation: Sendable, Equatable {
        var id: String
        var served: [(bucket: String, keyPrefix: String?)]

        static func == (lhs: Expectation, rhs: Expectation) -> Bool {
            lhs.id == rhs.id && lhs.served.map(\.bucket) == rhs.served.map(\.bucket)
                && lhs.served.map(\.keyPrefix) == rhs.served.map(\.keyPrefix)
        }
    }

    /// Each distribution the function (or `--distribution-id`) names; answers their ids for the permission checks.
    func checkDistributions(
        _ target: DoctorTarget, buckets: [String], facts: FunctionFacts?
    ) async -> ([Finding], [String]) {
        let (resolveFindings, expectations) = await expectations(target, buckets: buckets, facts: facts)
        var findings = resolveFindings
        for expectation in expectations {
            findings += await checkDistribution(expectation, configuration: facts?.configuration)
        }
        return (findings, expectations.map(\.id))
    }

    /// The distributions to check and what each should serve: `--distribution-id`, else the function's
    /// configuration as the function resolves it (ids, `DISTRIBUTION_MAP`, the SSM parameter, discovery), reading
    /// what it reads (the dry call of its own SSM and CloudFront reads).
    func expectations(
        _ target: DoctorTarget, buckets: [String], facts: FunctionFacts?
    ) async -> ([Finding], [Expectation]) {
        let configuration = facts?.configuration
        if !target.distributionIds.isEmpty {
            return (
                [],
                Self.expectations(
                    ids: target.distributionIds, map: configuration?.map, buckets: buckets,
                    keyPrefix: configuration?.keyPrefix)
            )
        }
        guard let configuration else { return ([], []) }
        var ids: [String] = []
        var map = configuration.map
        var findings: [Finding] = []
        switch configuration.distributions {
        case .ids(let configured): ids = configured
        case .none: break
        case .parameter(let name):
            let (parameterFindings, read) = await readParameter(name)
            findings += parameterFindings
            guard let read else { return (findings, []) }
            ids = read.ids
            if map == nil { map = read.map }
        }
        if DistributionResolver.discoveryApplies(configuration.discovery, ids: ids, map: map) {
            let (discoveryFindings, found) = await discover(buckets, settings: configuration.discovery)
            return (findings + discoveryFindings, found)
        }
        return (findings, Self.expectations(ids: ids, map: map, buckets: buckets, keyPrefix: configuration.keyPrefix))
    }

    /// Ids serve every bucket under `KEY_PREFIX`; a map entry serves its bucket under its own prefix.
    static func expectations(
        ids: [String], map: DistributionMap?, buckets: [String], keyPrefix: String?
    ) -> [Expectation] {
        var byId: [String: [(bucket: String, keyPrefix: String?)]] = [:]
        var order: [String] = []
        func add(_ id: String, _ bucket: String?, _ prefix: String?) {
            if byId[id] == nil { order.append(id) }
            byId[id, default: []] += bucket.map { [($0, prefix)] } ?? []
        }
        let ownPrefix = keyPrefix.map { DistributionTarget(distributionId: "E", originPath: $0).keyPrefix }
        for id in ids {
            if buckets.isEmpty { add(id, nil, nil) }
            for bucket in buckets where map?.targets[bucket] == nil { add(id, bucket, ownPrefix) }
        }
        for (bucket, targets) in (map?.targets ?? [:]).sorted(by: { $0.key < $1.key }) {
            // The operator's credentials read this account's distributions: a tenant or another account's
            // distribution (reached through a role) is the function's to reach, not checked here.
            for target in targets {
                guard let id = target.target.distributionId, target.target.roleArn == nil else { continue }
                add(id, bucket, target.keyPrefix)
            }
        }
        return order.map { Expectation(id: $0, served: byId[$0] ?? []) }
    }

    /// The SSM parameter `CF_DIST_ID_LABEL` names, parsed as the function parses it.
    func readParameter(_ name: String) async -> ([Finding], (ids: [String], map: DistributionMap?)?) {
        let check = "SSM parameter \(name)"
        let parameter: SSMParameter
        do {
            parameter = try await clients.ssm.getParameter(name: name, withDecryption: true)
        } catch {
            if error.code == "ParameterNotFound" {
                return (
                    [
                        .problem(
                            "function", check, "does not exist in \(region): the function refuses to start",
                            fix: "create it, or correct CF_DIST_ID_LABEL")
                    ], nil
                )
            }
            return ([.unchecked("function", check, error, permission: "ssm:GetParameter (and kms:Decrypt)")], nil)
        }
        let source = "CF_DIST_ID_LABEL (SSM parameter \(name))"
        let text = parameter.value.trimmingWhitespace()
        do {
            if text.hasPrefix("{") {
                return (
                    [.ok("function", check, "holds a distribution map")],
                    ([], try Configuration.parseMap(text, variable: source))
                )
            }
            let ids = try Configuration.parseDistributionIds(text, source: source)
            return ([.ok("function", check, "holds \(ids.joined(separator: ", "))")], (ids, nil))
        } catch {
            return (
                [
                    .problem(
                        "function", check, error.message + ": the function refuses to start",
                        fix: "correct the parameter's value")
                ], nil
            )
        }
    }

    /// Discovery as the function runs it (`DistributionDiscovery`, `ListDistributions`), for each bucket.
    func discover(_ buckets: [String], settings: DiscoverySettings) async -> ([Finding], [Expectation]) {
        let discovery = DistributionDiscovery(
            cloudFront: clients.cloudFront, settings: settings, logger: Logger(level: .error, write: { _ in }))
        var findings: [Finding] = []
        var targets: [DistributionTarget: [String]] = [:]
        for bucket in buckets {
            do {
                let found = try await discovery.targets(bucket: bucket)
                if found.isEmpty {
                    findings.append(
                        .problem(
                            "distributions", "discovery", "no enabled distribution serves \(bucket)",
                            fix: "add the bucket as an origin, or name the distribution in CLOUDFRONT_DISTRIBUTION_ID"))
                }
                for target in found { targets[target, default: []].append(bucket) }
            } catch {
                return (
                    [.unchecked("distributions", "discovery", error, permission: "cloudfront:ListDistributions")], []
                )
            }
        }
        let expectations = targets.keys.sorted().compactMap { target -> Expectation? in
            guard let id = target.target.distributionId, target.target.roleArn == nil else { return nil }
            return Expectation(id: id, served: (targets[target] ?? []).map { ($0, target.keyPrefix) })
        }
        return (findings, expectations)
    }
}

import AWSClient
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

/// The distributions serving each bucket of an event: the explicit configuration first (`DISTRIBUTION_MAP`, then
/// `CLOUDFRONT_DISTRIBUTION_ID` or the SSM parameter), discovery for what it leaves open.
public struct DistributionResolver: Sendable {
    /// Targets configured for every bucket: `CLOUDFRONT_DISTRIBUTION_ID`'s ids, or the command line's
    /// `--distribution-id` and `--tenant-id` through `--role-arn`.
    public var configured: [CloudFrontTarget]
    /// The configured distributions' ids (what a CodePipeline job without targets of its own uses).
    public var ids: [String] { configured.compactMap(\.distributionId) }
    public var map: DistributionMap?
    let discovery: DistributionDiscovery?
    /// `KEY_PREFIX` for the configured ids.
    public var keyPrefix: String

    public init(ids: [String], map: DistributionMap?, discovery: DistributionDiscovery?, keyPrefix: String = "") {
        self.init(targets: ids.map { .distribution($0) }, map: map, discovery: discovery, keyPrefix: keyPrefix)
    }

    public init(
        targets: [CloudFrontTarget], map: DistributionMap?, discovery: DistributionDiscovery?, keyPrefix: String = ""
    ) {
        self.configured = targets
        self.map = map
        self.discovery = discovery
        self.keyPrefix = keyPrefix
    }

    /// Whether discovery may run, given what is configured.
    public static func discoveryApplies(_ settings: DiscoverySettings, ids: [String], map: DistributionMap?) -> Bool {
        switch settings.mode {
        case .off: return false
        case .on: return ids.isEmpty
        case .auto: return ids.isEmpty && map == nil
        }
    }

    /// What serves each bucket, and the buckets whose lookup failed (their records must be retried, not dropped).
    public struct Resolution: Sendable {
        public var targets: [String: [DistributionTarget]] = [:]
        public var failures: [String: AWSError] = [:]
        /// Buckets served by nothing whose note was already logged within the discovery TTL.
        public var quietBuckets: Set<String> = []
    }

    /// - Parameter context: discovery's AWS calls (and their retries) end by its deadline and count in it.
    /// - Parameter session: names the role sessions discovery assumes (`DISCOVERY_ROLE_ARNS`).
    public func resolve(
        _ buckets: Set<String>, context: AWSCallContext = AWSCallContext(), session: String = "init"
    ) async -> Resolution {
        var resolution = Resolution()
        for bucket in buckets.sorted() {
            if let mapped = map?.targets[bucket] {
                resolution.targets[bucket] = mapped
            } else if !configured.isEmpty {
                resolution.targets[bucket] = configured.map { DistributionTarget($0, originPath: keyPrefix) }
            } else if let discovery {
                do {
                    let found = try await discovery.targets(bucket: bucket, context: context, session: session)
                    resolution.targets[bucket] = found
                    if found.isEmpty, await !discovery.shouldReportMissing(bucket: bucket) {
                        resolution.quietBuckets.insert(bucket)
                    }
                } catch {
                    resolution.failures[bucket] = error
                }
            } else {
                resolution.targets[bucket] = []
            }
        }
        return resolution
    }
}

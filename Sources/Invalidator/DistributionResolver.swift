import AWSClient
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

/// The distributions serving each bucket of an event: the explicit configuration first (`DISTRIBUTION_MAP`, then
/// `CLOUDFRONT_DISTRIBUTION_ID` or the SSM parameter), discovery for what it leaves open.
public struct DistributionResolver: Sendable {
    /// Ids configured for every bucket.
    public var ids: [String]
    public var map: DistributionMap?
    let discovery: DistributionDiscovery?
    /// `KEY_PREFIX` for the configured ids.
    public var keyPrefix: String

    public init(ids: [String], map: DistributionMap?, discovery: DistributionDiscovery?, keyPrefix: String = "") {
        self.ids = ids
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
    public func resolve(_ buckets: Set<String>, context: AWSCallContext = AWSCallContext()) async -> Resolution {
        var resolution = Resolution()
        for bucket in buckets.sorted() {
            if let mapped = map?.targets[bucket] {
                resolution.targets[bucket] = mapped
            } else if !ids.isEmpty {
                resolution.targets[bucket] = ids.map { DistributionTarget(distributionId: $0, originPath: keyPrefix) }
            } else if let discovery {
                do {
                    let found = try await discovery.targets(bucket: bucket, context: context)
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

import AWSClient
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

/// Finds every distribution with an origin on a bucket (REST or website endpoint, any form), mapping OriginPath to
/// the key prefix it serves. One listing of the account serves every bucket for `ttlSeconds` in a warm container.
public actor DistributionDiscovery {
    struct Distribution {
        var id: String
        var enabled: Bool
        var origins: [DistributionOrigin]
    }

    let cloudFront: CloudFrontClient
    let settings: DiscoverySettings
    let logger: Logger
    var snapshot: (takenAt: Date, distributions: [Distribution])?
    var reportedMissing: [String: Date] = [:]
    /// Listings made, for tests and logs.
    public private(set) var listings = 0

    public init(cloudFront: CloudFrontClient, settings: DiscoverySettings, logger: Logger) {
        self.cloudFront = cloudFront
        self.settings = settings
        self.logger = logger
    }

    /// The TTLs run on the client's clock, the one every wait and deadline uses.
    func now() -> Date { cloudFront.client.clock.now() }

    public func targets(
        bucket: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> [DistributionTarget] {
        var found: Set<DistributionTarget> = []
        for distribution in try await distributions(context: context)
        where distribution.enabled || settings.includeDisabled {
            for origin in distribution.origins where S3OriginDomain.matches(origin.domainName, bucket: bucket) {
                found.insert(DistributionTarget(distributionId: distribution.id, originPath: origin.originPath))
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

    func distributions(context: AWSCallContext) async throws(AWSError) -> [Distribution] {
        let current = now()
        if let snapshot, current.timeIntervalSince(snapshot.takenAt) < Double(settings.ttlSeconds) {
            return snapshot.distributions
        }
        var distributions: [Distribution] = []
        var marker: String?
        var pages = 0
        repeat {
            let page = try await cloudFront.listDistributions(marker: marker, context: context)
            pages += 1
            for summary in page.distributions {
                if let origins = summary.origins, let enabled = summary.enabled {
                    distributions.append(Distribution(id: summary.id, enabled: enabled, origins: origins))
                } else {
                    // moto's summaries (and any summary without Origins) leave us to ask for the configuration.
                    let config = try await cloudFront.getDistributionConfig(id: summary.id, context: context)
                    distributions.append(
                        Distribution(
                            id: summary.id, enabled: summary.enabled ?? config.enabled, origins: config.origins))
                }
            }
            marker = page.nextMarker
        } while marker != nil && pages < 1000
        listings += 1
        snapshot = (current, distributions)
        logger.debug(
            "listed distributions", ["distributions": String(distributions.count), "pages": String(pages)])
        return distributions
    }
}

import AWSClient
import Formats
import FoundationEssentials

/// Counts the billable paths of a month's invalidations: `ListInvalidations`, paged, for the month's invalidations,
/// then `GetInvalidation` for each one the cache does not hold, at the pace given.
public struct CostReader: Sendable {
    public var cloudFront: CloudFrontClient
    public var pace: RequestPace
    /// nil: nothing is read from or written to disk.
    public var cache: CostCache?
    /// Invalidations a `ListInvalidations` page asks for (CloudFront's maximum is 100).
    public var pageSize = 100

    /// How far a distribution's reading has come: invalidations of the month found so far, and read or taken from
    /// the cache so far.
    public typealias Progress = @Sendable (_ distributionId: String, _ done: Int, _ found: Int) -> Void

    public init(cloudFront: CloudFrontClient, pace: RequestPace, cache: CostCache?) {
        self.cloudFront = cloudFront
        self.pace = pace
        self.cache = cache
    }

    /// Every distribution the credentials can list (`ListDistributions`, paged).
    public func distributionIds(context: AWSCallContext = AWSCallContext()) async throws(AWSError) -> [String] {
        var ids: [String] = []
        var marker: String?
        repeat {
            let page = try await cloudFront.listDistributions(marker: marker, context: context)
            ids += page.distributions.map(\.id)
            marker = page.nextMarker
        } while marker != nil
        return ids
    }

    /// The distribution's invalidations created in `month`, counted; `notes` says what became of the cache.
    public func read(
        distributionId: String, month: BillingMonth, notes: inout [String], progress: Progress? = nil,
        context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> DistributionCost {
        let endpoint = cloudFront.client.endpoint.origin
        var cached: [String: InvalidationCount] = [:]
        if let cache {
            let loaded = cache.load(distributionId: distributionId, month: month, endpoint: endpoint)
            cached = loaded.counts
            if let note = loaded.note { notes.append(note) }
        }
        let summaries = try await monthSummaries(distributionId: distributionId, month: month, context: context)
        var cost = DistributionCost(distributionId: distributionId)
        var completed: [InvalidationCount] = []
        for (index, summary) in summaries.enumerated() {
            progress?(distributionId, index, summaries.count)
            if let count = cached[summary.id] {
                cost.add(count)
                cost.fromCache += 1
                completed.append(count)
                continue
            }
            do {
                try await pace.take()
            } catch {
                throw AWSError(
                    kind: .transport, code: "Cancelled", message: "cancelled", service: "cloudfront",
                    operation: "GetInvalidation")
            }
            let invalidation = try await cloudFront.getInvalidation(
                distributionId: distributionId, id: summary.id, context: context)
            cost.read += 1
            let count = InvalidationCount(id: summary.id, createTime: summary.createTime, items: invalidation.paths)
            cost.add(count)
            if invalidation.isCompleted { completed.append(count) } else { cost.inProgress += 1 }
        }
        progress?(distributionId, summaries.count, summaries.count)
        if let cache, cost.read > 0 || cached.count != completed.count,
            let note = cache.save(completed, distributionId: distributionId, month: month, endpoint: endpoint)
        {
            notes.append(note)
        }
        return cost
    }

    /// The summaries of the invalidations created in `month`. CloudFront lists newest first, so paging stops at the
    /// first page that reaches back before the month; the whole page is still looked at (moto lists oldest first,
    /// on one page).
    func monthSummaries(
        distributionId: String, month: BillingMonth, context: AWSCallContext
    ) async throws(AWSError) -> [InvalidationSummary] {
        var found: [InvalidationSummary] = []
        var marker: String?
        repeat {
            let page = try await cloudFront.listInvalidations(
                distributionId: distributionId, marker: marker, maxItems: pageSize, context: context)
            var reachedBefore = false
            for summary in page.invalidations {
                guard let created = RFC3339.parse(summary.createTime) else {
                    throw AWSError(
                        kind: .malformedResponse, code: "MalformedResponse",
                        message: "invalidation \(summary.id) has no readable CreateTime", service: "cloudfront",
                        operation: "ListInvalidations")
                }
                if created < month.start { reachedBefore = true }
                if month.contains(created) { found.append(summary) }
            }
            marker = reachedBefore ? nil : page.nextMarker
        } while marker != nil
        return found
    }
}

/// One distribution's invalidations in a month, counted.
public struct DistributionCost: Sendable, Equatable {
    public var distributionId: String
    public var invalidations = 0
    /// Billable paths: every item of every invalidation.
    public var paths = 0
    public var wildcards = 0
    public var tags = 0
    /// Invalidations still `InProgress` (read this time, and again the next: only completed ones are cached).
    public var inProgress = 0
    /// Invalidations counted from the cache, without a `GetInvalidation`.
    public var fromCache = 0
    /// `GetInvalidation` calls made.
    public var read = 0

    public init(distributionId: String) {
        self.distributionId = distributionId
    }

    mutating func add(_ count: InvalidationCount) {
        invalidations += 1
        paths += count.paths
        wildcards += count.wildcards
        tags += count.tags
    }
}

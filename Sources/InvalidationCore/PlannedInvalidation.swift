import Digests
import Formats
import JSONSupport

/// One CreateInvalidation request to make (of a distribution, or of a distribution tenant).
public struct PlannedInvalidation: Sendable, Equatable {
    public var target: CloudFrontTarget
    /// Derived from the identity of the changes and the paths: a redelivered batch reproduces it (CloudFront then
    /// returns the earlier invalidation instead of invalidating twice); two different batches cannot share it.
    public var callerReference: String
    /// The request's items, as CloudFront's `Paths.Items`: sorted, de-duplicated, encoded paths, and any cache tag
    /// items (`#html`, `CacheTag`), which sort first.
    public var paths: [String]
    /// The SQS message ids whose changes this request carries (to hand back if it cannot be submitted).
    public var messageIds: [String]
    /// The delivery units (as logs name them) whose changes this request carries.
    public var unitLabels: [String]
    /// The changes this request covers.
    public var changes: Int = 0
    /// With `TAG_RULES` and no budget (a coalescing batch's exact plan): `paths` as `TagCover.lines` writes them,
    /// each with the tags of the changes that need it, so that the window's flush can cover them by tag. Never sent.
    public var recordLines: [String]?

    /// What CloudFront bills for this request: one per item, a wildcard counting as one, and a tag as one.
    public var billablePaths: Int { paths.count }
    /// The cache tag items among `paths`.
    public var tags: [String] { paths.filter(CacheTag.isItem) }
}

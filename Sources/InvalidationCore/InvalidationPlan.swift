import Digests
import Formats
import JSONSupport

/// What an event asks for: the requests to make, and the records that cannot be served.
public struct InvalidationPlan: Sendable {
    public var invalidations: [PlannedInvalidation]
    /// Records whose bucket has no distribution.
    public var notes: [RecordNote]
    /// Changes left out by `INCLUDE` / `EXCLUDE`.
    public var excludedChanges = 0
    /// Changes that at least one planned request covers (each counted once, however many distributions serve it).
    public var coveredChanges = 0

    public init(invalidations: [PlannedInvalidation], notes: [RecordNote], excludedChanges: Int = 0) {
        self.invalidations = invalidations
        self.notes = notes
        self.excludedChanges = excludedChanges
    }
}

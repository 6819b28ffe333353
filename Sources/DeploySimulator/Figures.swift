/// What a simulated deploy produced.
public struct Figures: Sendable {
    public var invocations = 0
    public var created = 0
    public var attempts = 0
    public var billablePaths = 0
    public var peakWildcards = 0
    public var throttles = 0
    public var inProgressRefusals = 0
    public var handedBack = 0
    public var redelivered = 0
    public var deadLettered = 0
    /// Seconds from the deploy's start.
    public var lastUpload = 0.0
    /// When the last upload's message was in the queue.
    public var lastArrival = 0.0
    public var lastCreated: Double?
    public var lastCompleted: Double?
    public var receiveCalls = 0
    /// The function's AWS calls by service (`cloudfront`, `dynamodb`, `sqs`), CreateInvalidation apart.
    public var awsCalls: [String: Int] = [:]
    public var virtualSeconds = 0.0
    /// Messages still queued when the simulation stopped.
    public var unfinished = 0
    /// Invocations that crashed (chaos).
    public var crashes = 0
    /// Flush messages the function sent (coalescing).
    public var flushesSent = 0
    /// Uploads no invalidation created after their message arrived covers, and whose message was not
    /// dead-lettered: changes lost.
    public var lost: [String] = []
    /// Coalescing windows with more than one invalidation of the same part.
    public var windowsFlushedTwice = 0
    /// Windows flushed.
    public var windowsFlushed = 0
    /// With `Scenario.tags`, from the edge-cache model: changed paths no invalidation created after the change purged,
    /// and unchanged paths purged.
    public var stale: [String] = []
    public var overInvalidated: [String] = []

    public init() {}
}

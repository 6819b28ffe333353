import FoundationEssentials

/// Lambda's SQS event source mapping, as the Lambda developer guide describes it ("Using Lambda with Amazon SQS",
/// "Configuring scaling behavior for SQS event source mappings"): pollers each assemble their own batch from
/// `ReceiveMessage` calls of up to 10 messages, and invoke when it holds `BatchSize` messages, when
/// `MaximumBatchingWindowInSeconds` has passed since its first message, or when its payload reaches 6 MB;
/// `ScalingConfig.MaximumConcurrency` caps the invocations in flight.
public struct EventSourceMapping: Sendable {
    public var batchSize: Int
    public var batchingWindow: Double
    public var maximumConcurrency: Int
    /// Lambda starts with five pollers (five concurrent batches) and scales up from there.
    public var pollers = 5
    /// The function's timeout: each invocation's deadline.
    public var functionTimeout: Double = 60

    public init(batchSize: Int, batchingWindow: Double, maximumConcurrency: Int) {
        self.batchSize = batchSize
        self.batchingWindow = batchingWindow
        self.maximumConcurrency = maximumConcurrency
    }
    /// An invocation's payload limit (synchronous invoke).
    static let payloadLimit = 6 * 1024 * 1024
    /// The most messages one `ReceiveMessage` call returns.
    static let receiveMaximum = 10
    /// How long one `ReceiveMessage` call takes when messages are waiting (long polling returns at once then).
    static let receiveInterval = 0.1

    /// One poller's state.
    struct Poller {
        var batch: [Int] = []
        var bytes = 0
        var windowStart: Double?
        var invoking = false

        func isReady(_ mapping: EventSourceMapping, at time: Double) -> Bool {
            guard !batch.isEmpty else { return false }
            if batch.count >= mapping.batchSize { return true }
            // Within half a microsecond: the simulation's times sit on a microsecond grid.
            if let windowStart, time >= windowStart + mapping.batchingWindow - 0.000_000_5 { return true }
            // The next receive could carry ten more messages of about this size: invoke before passing 6 MB.
            let perMessage = bytes / batch.count
            return bytes + perMessage * EventSourceMapping.receiveMaximum > EventSourceMapping.payloadLimit
        }
    }
}

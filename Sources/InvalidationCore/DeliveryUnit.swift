import JSONSupport

/// A unit of delivery: an SQS message (which the function may hand back) or one record of a direct invoke.
public struct DeliveryUnit: Sendable, Equatable {
    /// The SQS message id, used for `batchItemFailures`; nil for direct invokes.
    public var messageId: String?
    /// How logs name the unit: `message <id>` or `record <n>`.
    public var label: String
    public var changes: [ObjectChange]
    /// A flush of a coalescing window the function scheduled on its own queue (then `changes` is empty).
    public var flush: FlushMessage? = nil
}

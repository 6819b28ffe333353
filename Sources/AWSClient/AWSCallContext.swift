import FoundationEssentials

/// What a caller's AWS calls share, handed to each call: when they must end, the X-Ray trace they belong to, and
/// where their attempts, retries and throttles are counted.
///
/// An invocation makes one (its deadline less a margin, its trace header) and passes it to every call it makes,
/// discovery's and submission's alike, so that its metrics count exactly its own calls, even when invocations run
/// side by side on one client; the command line makes one per command. A client is configured once per process and
/// never copied to carry a deadline.
public struct AWSCallContext: Sendable {
    /// No attempt starts, and no backoff ends, after this instant; nil: only the client's `requestTimeout` bounds an
    /// attempt.
    public var deadline: Date?
    /// Sent as `X-Amzn-Trace-Id` (unsigned, as the SDKs send it).
    public var traceId: String?
    /// Counts the calls made with this context and with every copy of it.
    public let statistics: AWSCallStatistics

    public init(deadline: Date? = nil, traceId: String? = nil, statistics: AWSCallStatistics = AWSCallStatistics()) {
        self.deadline = deadline
        self.traceId = traceId
        self.statistics = statistics
    }

    /// The same calls (same trace, same counts), ending `seconds` before `instant` (nil: no deadline).
    public func ending(_ seconds: Double, before instant: Date?) -> AWSCallContext {
        var context = self
        context.deadline = instant?.addingTimeInterval(-seconds)
        return context
    }
}

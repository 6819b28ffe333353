import AWSClient
import FoundationEssentials
import LambdaRuntime

/// One invocation's shared state, made once from the Runtime API's invocation and passed to every phase: where to
/// log, and the AWS call contexts that end its work, and its answer, in time.
///
/// Every AWS call of the invocation counts in one `AWSCallStatistics`, so its log line and metrics report exactly
/// its own retries and throttles, discovery's included.
public struct InvocationContext: Sendable {
    public var logger: Logger
    /// CloudFront's calls (discovery, submission, polling): no attempt starts, and no backoff ends, later than half a
    /// second before the deadline, and a pipeline job's `reportReserve` earlier still.
    public var work: AWSCallContext
    /// The answer's calls (a job's `PutJob…Result`): until half a second before the deadline.
    public var report: AWSCallContext
    /// Waiting for in-progress invalidations stops here; nil: no waiting at all.
    public var waitDeadline: Date?
    /// When the invocation began, before its event was decoded: the log line's `milliseconds` count from here.
    public var started: ContinuousClock.Instant
    /// Names the role sessions this invocation assumes (`RoleAccess.sessionName`).
    public var session = "init"

    /// The margin every AWS call leaves before the deadline, for the answer to reach the Runtime API.
    static let callMargin = 0.5

    /// - Parameters:
    ///   - deadline: the invocation's deadline on the handler's clock; nil for none.
    ///   - now: the handler's clock, now.
    ///   - reservingReport: a pipeline job's: keep `reportReserve` of the time for its report, so that however long
    ///     CloudFront hangs, the job is reported (a job left unreported hangs its stage until CodePipeline's own
    ///     timeout).
    ///   - waitMargin: waiting for in-progress invalidations ends at least this long before the deadline.
    public init(
        deadline: Date?, traceId: String?, logger: Logger, now: Date, reservingReport: Bool = false,
        waitMargin: Duration = .seconds(2), started: ContinuousClock.Instant = .now
    ) {
        self.logger = logger
        self.started = started
        let calls = AWSCallContext(traceId: traceId)
        let reserve = reservingReport ? Self.reportReserve(remaining: deadline?.timeIntervalSince(now) ?? 0) : 0
        work = calls.ending(Self.callMargin + reserve, before: deadline)
        report = calls.ending(Self.callMargin, before: deadline)
        waitDeadline = deadline?.addingTimeInterval(-max(waitMargin.seconds, Self.callMargin + reserve))
    }

    /// The seconds kept for a pipeline job's report out of the `remaining` seconds of the invocation: a third, at
    /// most 5 s (a `PutJob…Result` answers in well under a second; 5 s leaves room for one retry after a slow
    /// attempt), so that even a function with Lambda's default 3 s timeout reports.
    static func reportReserve(remaining: Double) -> Double {
        min(5, max(0, remaining) / 3)
    }
}

extension Invocation {
    /// The Runtime API's deadline as an instant; nil when it sent none.
    var deadline: Date? {
        deadlineMilliseconds > 0 ? Date(timeIntervalSince1970: Double(deadlineMilliseconds) / 1000) : nil
    }
}

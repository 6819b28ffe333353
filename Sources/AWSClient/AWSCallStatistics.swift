import Synchronization

/// Counts of what the calls of one `AWSCallContext` went through: the invocation's metrics and log line.
public final class AWSCallStatistics: Sendable {
    public struct Counts: Sendable, Equatable {
        public var attempts = 0
        public var retries = 0
        public var throttles = 0
        /// Time spent waiting for AWS's answers (not counting backoff).
        public var awaiting: Duration = .zero
        public init() {}
    }

    private let state = Mutex(Counts())
    public init() {}
    public var counts: Counts { state.withLock { $0 } }
    func record(_ update: (inout Counts) -> Void) { state.withLock { update(&$0) } }
}

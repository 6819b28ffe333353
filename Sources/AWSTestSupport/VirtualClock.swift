import AWSClient
import FoundationEssentials
import Synchronization

/// A clock for tests: time moves only when someone sleeps on it (or a test advances it), so a test of backoff,
/// deadlines or invalidations that take minutes runs in milliseconds. Sleeping advances the shared time by the
/// duration and returns at once.
public final class VirtualClock: AWSClock {
    private let state: Mutex<(time: Date, slept: Duration, sleeps: Int)>

    public init(start: Date = Date()) {
        state = Mutex((time: start, slept: .zero, sleeps: 0))
    }

    public func now() -> Date { state.withLock { $0.time } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.time = $0.time.addingTimeInterval(duration.seconds)
            $0.slept += duration
            $0.sleeps += 1
        }
        await Task.yield()
    }

    /// Moves time forward without a sleep.
    public func advance(by duration: Duration) {
        state.withLock { $0.time = $0.time.addingTimeInterval(duration.seconds) }
    }

    /// All the time slept on this clock, and how many sleeps.
    public var slept: (total: Duration, count: Int) { state.withLock { ($0.slept, $0.sleeps) } }
}

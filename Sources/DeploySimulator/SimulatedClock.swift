import AWSClient
import FoundationEssentials
import Synchronization

/// A discrete-event clock: a sleeper is suspended until the simulation reaches its wake-up time, and only one task
/// runs at a time (the simulation's driver resumes one, and waits until it sleeps again or ends).
///
/// `AWSTestSupport.VirtualClock` advances the shared time by every sleep, which is right for one caller but adds up
/// the waits of concurrent invocations (two handlers backing off 4 s each would move time 8 s). Here concurrent
/// invocations wait side by side, as in Lambda, and their interleaving is fixed by wake-up time and then order of
/// sleeping, so a seed gives the same run every time.
final class SimulatedClock: AWSClock {
    struct Sleeper {
        var wake: Date
        var order: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    struct State {
        var now: Date
        var sleepers: [Sleeper] = []
        var order = 0
        /// The driver, waiting for the running task to block or end.
        var driver: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    init(start: Date) {
        state = Mutex(State(now: start))
    }

    func now() -> Date { state.withLock { $0.now } }

    func sleep(for duration: Duration) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let driver = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.order += 1
                state.sleepers.append(
                    Sleeper(
                        wake: state.now.addingTimeInterval(max(0, duration.seconds)), order: state.order,
                        continuation: continuation))
                defer { state.driver = nil }
                return state.driver
            }
            driver?.resume()
        }
    }

    /// The running task has ended: the driver goes on.
    func taskEnded() {
        let driver = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.driver = nil }
            return state.driver
        }
        driver?.resume()
    }

    /// Runs `start` (which starts one task that calls `sleep` or `taskEnded`) and returns once that task has blocked
    /// or ended.
    func runUntilBlocked(_ start: @Sendable () -> Void) async {
        await withCheckedContinuation { (driver: CheckedContinuation<Void, Never>) in
            state.withLock { $0.driver = driver }
            start()
        }
    }

    /// The earliest wake-up time of a sleeper.
    var nextWake: Date? { state.withLock { $0.sleepers.map(\.wake).min() } }

    /// Moves time forward to `date` (never back).
    func advance(to date: Date) {
        state.withLock { $0.now = max($0.now, date) }
    }

    /// Resumes the sleeper due first (at or before now) until it blocks again or ends; false when none is due.
    func resumeNextDue() async -> Bool {
        let due = state.withLock { state -> Sleeper? in
            let candidates = state.sleepers.enumerated().filter { $0.element.wake <= state.now }
            guard
                let first = candidates.min(by: {
                    ($0.element.wake, $0.element.order) < ($1.element.wake, $1.element.order)
                })
            else { return nil }
            return state.sleepers.remove(at: first.offset)
        }
        guard let due else { return false }
        await runUntilBlocked { due.continuation.resume() }
        return true
    }
}

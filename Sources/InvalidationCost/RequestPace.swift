import AWSClient
import FoundationEssentials
import Synchronization

/// A client-side pace for calls that come in the hundreds (one `GetInvalidation` per invalidation of a month): a
/// token bucket of `burst` calls, refilled at `perSecond`, measured and waited on the client's clock (a test's virtual
/// one). CloudFront does not publish the request rate of its read operations and answers `Throttling` past it; the
/// client's standard retries recover from a throttle, but pacing keeps a long report from provoking them in the
/// first place (and from throttling the function's own calls in the same account meanwhile).
public final class RequestPace: Sendable {
    public let perSecond: Double
    public let burst: Double
    let clock: any AWSClock
    private let state: Mutex<(tokens: Double, refilled: Date)>

    /// - Parameters:
    ///   - perSecond: more than 0.
    ///   - burst: at least 1: calls that may go at once.
    public init(perSecond: Double, burst: Double, clock: any AWSClock) {
        precondition(perSecond > 0 && burst >= 1, "a pace needs a positive rate and a burst of at least one call")
        self.perSecond = perSecond
        self.burst = burst
        self.clock = clock
        state = Mutex((tokens: burst, refilled: clock.now()))
    }

    /// Waits until a call may go, and takes its token. The token is reserved before the wait (the bucket may go
    /// below zero), so that callers in parallel queue up rather than all waking at once.
    public func take() async throws {
        let now = clock.now()
        let wait = state.withLock { state -> Double in
            let elapsed = max(0, now.timeIntervalSince(state.refilled))
            state.tokens = min(burst, state.tokens + elapsed * perSecond)
            state.refilled = now
            state.tokens -= 1
            return state.tokens >= 0 ? 0 : -state.tokens / perSecond
        }
        if wait > 0 { try await clock.sleep(for: .milliseconds(Int64((wait * 1000).rounded(.up)))) }
    }
}

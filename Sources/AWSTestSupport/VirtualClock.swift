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

/// A seeded generator (SplitMix64), for reproducible jitter and chaos.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A `@Sendable () -> Double` in [0, 1) from a seeded generator, for the clients' jitter.
public final class SeededJitter: Sendable {
    private let generator: Mutex<SeededRandom>
    public init(seed: UInt64) { generator = Mutex(SeededRandom(seed: seed)) }
    public func next() -> Double { generator.withLock { Double.random(in: 0..<1, using: &$0) } }
    public var function: @Sendable () -> Double { { self.next() } }
}

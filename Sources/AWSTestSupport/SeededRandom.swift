import Synchronization

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

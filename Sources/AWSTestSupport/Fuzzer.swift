import FoundationEssentials
import FuzzSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A mutation fuzzer for parsers, run inside the test suite for a bounded time: seeds (real fixtures) are mutated
/// (bit flips, interesting bytes, deletions, duplications, splices, hostile JSON/XML tokens, truncation) and fed to
/// a body that must neither crash nor break its invariants.
///
/// A crash is captured: the input is written to `$FUZZ_CRASH_DIR` (default `/tmp`) as `<name>-crash.bin` before the
/// process dies, to be kept under the test target's `Fixtures/fuzz/<name>/`, which `replay` runs on every test run.
public struct Fuzzer {
    public var name: String
    public var seeds: [[UInt8]]
    /// Extra tokens worth inserting, for the format at hand.
    public var dictionary: [[UInt8]]
    var random: SeededRandom

    public init(name: String, seeds: [[UInt8]], dictionary: [String] = [], seed: UInt64 = Fuzzer.seedFromEnvironment) {
        self.name = name
        self.seeds = seeds.isEmpty ? [[]] : seeds
        self.dictionary = (Self.commonTokens + dictionary).map { Array($0.utf8) } + Self.byteTokens
        self.random = SeededRandom(seed: seed)
    }

    /// `FUZZ_SEED`, or a fixed seed (the run is reproducible unless asked otherwise).
    public static var seedFromEnvironment: UInt64 {
        ProcessInfo.processInfo.environment["FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_122
    }

    /// `FUZZ_SECONDS` per target, default `seconds`.
    public static func budget(default seconds: Double) -> Double {
        ProcessInfo.processInfo.environment["FUZZ_SECONDS"].flatMap { Double($0) } ?? seconds
    }

    static let commonTokens = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "\\udfff", "\\uD83D\\uDE00", "null", "true",
        "-0", "1e999999", "-1e-999999", "123456789012345678901234567890", "{\"a\":", "[[[[[[[[[[[[[[[[", "]]]]]]]]",
        "%", "%2", "%ZZ", "%00", "%C3%28", "%F0%9F%98%80", "+", "*", "?", "/", "//", "..", "/../", "~", "#",
        "<", ">", "&amp;", "&#0;", "&#x110000;", "&bogus;", "<![CDATA[", "]]>", "<!--", "-->", "<?xml", "?>",
        "\"Records\"", "\"key\"", "\"s3\"", "\"object\"", "\"bucket\"", "\"body\"", "\"Message\"", "\"detail\"",
    ]
    static let byteTokens: [[UInt8]] = [
        [0x00], [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82],
        [0xEF, 0xBB, 0xBF], [0x0D, 0x0A], [0x09],
    ]

    /// One mutated input: a seed, changed one to four times.
    public mutating func next() -> [UInt8] {
        var input = seeds.randomElement(using: &random)!
        for _ in 0..<Int.random(in: 1...4, using: &random) { mutate(&input) }
        return input
    }

    mutating func position(_ input: [UInt8]) -> Int {
        input.isEmpty ? 0 : Int.random(in: 0...input.count, using: &random)
    }

    mutating func mutate(_ input: inout [UInt8]) {
        switch Int.random(in: 0..<9, using: &random) {
        case 0 where !input.isEmpty:
            let index = Int.random(in: 0..<input.count, using: &random)
            input[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        case 1 where !input.isEmpty:
            let index = Int.random(in: 0..<input.count, using: &random)
            input[index] = [0x00, 0xFF, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3C, 0x3E, 0x80, 0x2A, 0x25]
                .randomElement(using: &random)!
        case 2 where !input.isEmpty:
            let start = Int.random(in: 0..<input.count, using: &random)
            let end = min(input.count, start + Int.random(in: 1...64, using: &random))
            input.removeSubrange(start..<end)
        case 3 where !input.isEmpty:
            let start = Int.random(in: 0..<input.count, using: &random)
            let end = min(input.count, start + Int.random(in: 1...256, using: &random))
            let copy = Array(input[start..<end])
            input.insert(contentsOf: copy, at: position(input))
        case 4:
            input.insert(contentsOf: dictionary.randomElement(using: &random)!, at: position(input))
        case 5 where !input.isEmpty:
            input.removeSubrange(Int.random(in: 0..<input.count, using: &random)...)
        case 6:
            let other = seeds.randomElement(using: &random)!
            let cut = Int.random(in: 0...input.count, using: &random)
            let from = Int.random(in: 0...other.count, using: &random)
            input = Array(input[..<cut]) + Array(other[from...])
        case 7:
            // Deep nesting.
            let depth = Int.random(in: 1...2000, using: &random)
            let open: [UInt8] = Bool.random(using: &random) ? Array("[".utf8) : Array("{\"a\":".utf8)
            input.insert(contentsOf: Array(repeating: open, count: depth).joined(), at: position(input))
        default:
            // A long run of one byte.
            let byte = [0x41, 0x2F, 0x25, 0x5C, 0xC3].randomElement(using: &random)!
            input.insert(
                contentsOf: Array(repeating: UInt8(byte), count: Int.random(in: 100...5000, using: &random)),
                at: position(input))
        }
    }

    /// The fewest mutated inputs a run tries, however long they take: a time budget alone let a loaded machine (the
    /// whole suite in parallel on two cores) try fewer than a hundred.
    static let minimumInputs = 500

    /// Runs `body` on every seed, then on mutated inputs for `seconds` and at least `minimumInputs` of them; answers
    /// the number of inputs tried.
    @discardableResult
    public mutating func run(seconds: Double, _ body: ([UInt8]) throws -> Void) rethrows -> Int {
        Self.installCapture(name: name)
        defer { fuzz_set_current_input(nil, 0) }
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        var count = 0
        for seed in seeds {
            try Self.attempt(seed, body)
            count += 1
        }
        var mutated = 0
        while clock.now < end || mutated < Self.minimumInputs {
            mutated += 50
            for _ in 0..<50 {
                try Self.attempt(next(), body)
                count += 1
            }
        }
        return count
    }

    /// Runs `body` on every kept crash of this target (`directory` holds `Fixtures/fuzz/<name>/*`).
    public static func replay(directory: URL, name: String, _ body: ([UInt8]) throws -> Void) throws -> Int {
        installCapture(name: name)
        defer { fuzz_set_current_input(nil, 0) }
        let folder = directory.appending(path: name)
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return 0 }
        for file in files.sorted() where !file.hasSuffix(".md") {
            try attempt(Array(try Data(contentsOf: folder.appending(path: file))), body)
        }
        return files.filter { !$0.hasSuffix(".md") }.count
    }

    static func attempt(_ input: [UInt8], _ body: ([UInt8]) throws -> Void) rethrows {
        try input.withUnsafeBufferPointer { buffer in
            fuzz_set_current_input(buffer.baseAddress, buffer.count)
            try body(input)
        }
    }

    static func installCapture(name: String) {
        let directory = ProcessInfo.processInfo.environment["FUZZ_CRASH_DIR"] ?? "/tmp"
        fuzz_install_crash_capture("\(directory)/\(name)-crash.bin")
    }
}

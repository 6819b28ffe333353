import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import JSONSupport
import Testing

/// Hostile input for the event decoder and the planner: real events mutated for a bounded time (`FUZZ_SECONDS`,
/// default 4 s per target), and every input ever found to crash kept in `Fixtures/fuzz/` and replayed.
@Suite("Fuzzing the event decoder")
struct FuzzTests {
    static let seedNames = [
        "aws/codepipeline.json", "aws/eventbridge-direct.json", "aws/s3-put.json", "aws/sns-direct.json",
        "aws/sqs-mixed.json", "moto/s3-eventbridge-sqs.json", "moto/s3-sns-sqs.json", "moto/s3-sqs.json",
    ]

    /// What every plan must be, whatever came in: paths CloudFront accepts, within the request limits.
    static func check(_ input: [UInt8]) {
        let event = EventDecoder.decode(input)
        var exact = PlannerSettings()
        exact.budget = nil
        let exactPlan = Planner.plan(event, settings: exact) { _ in [DistributionTarget(distributionId: "E1")] }
        for path in exactPlan.invalidations.flatMap(\.paths) {
            #expect(!path.contains("*"), "a key never becomes a wildcard: \(path.prefix(100))")
        }
        for note in event.notes {
            #expect(!note.reason.isEmpty && !note.record.isEmpty)
        }
        let settings = PlannerSettings()
        let plan = Planner.plan(event, settings: settings) { _ in [DistributionTarget(distributionId: "E1")] }
        for invalidation in plan.invalidations {
            #expect(!invalidation.paths.isEmpty)
            #expect(invalidation.paths.count <= settings.maximumPathsPerRequest)
            #expect(invalidation.callerReference.hasPrefix("cfinv-") && invalidation.callerReference.count == 46)
            for path in invalidation.paths {
                #expect(isValidPath(path), "invalid path \(path.prefix(200))")
            }
        }
    }

    /// CloudFront's rules: a leading `/`, at most 4,000 characters, `*` only last, nothing that must be encoded.
    static func isValidPath(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.utf8.count <= 4000 else { return false }
        if let star = path.utf8.firstIndex(of: UInt8(ascii: "*")), star != path.utf8.indices.last { return false }
        return path.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    @Test("crashes found before stay fixed")
    func regressions() throws {
        let count = try Fuzzer.replay(directory: Fixture.directory.appending(path: "fuzz"), name: "event-decoder") {
            Self.check($0)
        }
        #expect(count > 0, "the kept inputs are found")
    }

    @Test("mutated events: no crash, valid paths, a note for each bad record")
    func mutatedEvents() throws {
        var fuzzer = Fuzzer(
            name: "event-decoder", seeds: try Self.seedNames.map(Fixture.bytes),
            dictionary: ["\"ObjectCreated:Put\"", "\"ObjectRemoved:Delete\"", "\"aws:sqs\"", "\"Notification\""])
        let tried = fuzzer.run(seconds: Fuzzer.budget(default: 4)) { Self.check($0) }
        print("fuzz event-decoder: \(tried) inputs")
    }

    @Test("huge and hostile events: 6 MB, 10,000 records, deep nesting, invalid UTF-8")
    func hostile() throws {
        // 10,000 records in one SQS batch, about 6 MB.
        let body = String(repeating: "x", count: 420)
        let records = (0..<10_000).map { index in
            "{\"messageId\":\"m\(index)\",\"eventSource\":\"aws:sqs\",\"body\":"
                + JSON.quote(
                    "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},"
                        + "\"object\":{\"key\":\"k/\(index)-\(body)\"}}}]}") + "}"
        }
        let big = Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
        #expect(big.count > 5_000_000)
        let event = EventDecoder.decode(big)
        #expect(event.units.count == 10_000)
        Self.check(big)

        // Nesting far past the parser's depth limit: an error, not a stack overflow.
        let deep = Array(String(repeating: "[", count: 1_000_000).utf8)
        let nested = EventDecoder.decode(deep)
        #expect(nested.units.isEmpty && nested.notes.count == 1)
        let deepBody = Array(
            ("{\"Records\":[{\"messageId\":\"m1\",\"eventSource\":\"aws:sqs\",\"body\":"
                + JSON.quote(String(repeating: "{\"a\":", count: 100_000)) + "}]}").utf8)
        let nestedBody = EventDecoder.decode(deepBody)
        #expect(nestedBody.notes.count == 1 && nestedBody.notes.first?.record.contains("m1") == true)

        // Invalid UTF-8 in a key and in the structure.
        let invalid: [UInt8] =
            Array(
                "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"a"
                    .utf8)
            + [0xC3, 0x28, 0xED, 0xA0, 0x80] + Array("\"}}}]}".utf8)
        let decoded = EventDecoder.decode(invalid)
        #expect(decoded.units.isEmpty && decoded.notes.count == 1, "\(decoded.notes)")
        Self.check([0xFF, 0xFE] + Array("{\"Records\":[]}".utf8))
    }
}

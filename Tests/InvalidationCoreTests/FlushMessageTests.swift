import InvalidationCore
import JSONSupport
import Testing

@Suite("Coalescing flush messages")
struct FlushMessageTests {
    func batch(_ bodies: [(id: String, body: String)]) -> [UInt8] {
        let records = bodies.map { id, body in
            "{\"messageId\":\"\(id)\",\"eventSource\":\"aws:sqs\",\"body\":\(JSON.quote(body)),"
                + "\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:site-changes\"}"
        }
        return Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
    }

    let s3Body =
        "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"site\"},"
        + "\"object\":{\"key\":\"a.html\",\"sequencer\":\"01\"}}}]}"

    @Test("a flush round-trips through its body, beside changes in the same batch, and the queue is kept")
    func roundTrip() {
        let flush = FlushMessage(target: "E2QWRUHAPOMQZL", window: 41, due: 1_795_341_620_000)
        let event = EventDecoder.decode(batch([("m-flush", flush.body), ("m-change", s3Body)]))
        #expect(event.source == .sqs)
        #expect(event.reply == .batchItemFailures)
        #expect(event.queueARN == "arn:aws:sqs:eu-west-1:123456789012:site-changes")
        #expect(event.flushes.map(\.messageId) == ["m-flush"])
        #expect(event.flushes.first?.flush == flush)
        #expect(event.units[0].changes.isEmpty)
        #expect(event.units[1].changes.map(\.key) == ["a.html"])
        #expect(event.notes.isEmpty)
    }

    @Test(
        "a malformed flush is one rejected note naming what is wrong, and never a change",
        arguments: [
            ("{\"cloudfrontInvalidator\":\"other\"}", "is not \"flush\""),
            (
                "{\"cloudfrontInvalidator\":\"flush\",\"distributionId\":\"e2\",\"window\":1,\"due\":1}",
                "distributionId"
            ),
            (
                "{\"cloudfrontInvalidator\":\"flush\",\"distributionId\":\"E2QWRUHAPOMQZL\",\"window\":-1,\"due\":1}",
                "window"
            ),
            (
                "{\"cloudfrontInvalidator\":\"flush\",\"distributionId\":\"E2QWRUHAPOMQZL\",\"window\":1.5,\"due\":1}",
                "window"
            ),
            ("{\"cloudfrontInvalidator\":\"flush\",\"distributionId\":\"E2QWRUHAPOMQZL\",\"window\":1}", "due"),
        ])
    func malformed(body: String, problem: String) {
        let event = EventDecoder.decode(batch([("m1", body), ("m2", s3Body)]))
        #expect(event.flushes.isEmpty)
        #expect(event.notes.count == 1)
        #expect(event.notes.first?.record == "message m1")
        #expect(event.notes.first?.severity == .rejected)
        #expect(event.notes.first?.reason.contains(problem) == true)
        #expect(event.units[1].changes.count == 1)
    }

    @Test(
        "a window's requests: planned with the budget, a reference that names the window and repeats for the same content"
    )
    func windowRequests() {
        let paths = (0..<150).map { "/docs/section-\($0 / 10)/page-\($0 % 10)/index.html" }
        let first = Planner.requests(
            window: 7, paths: paths + paths.prefix(20), target: "E2QWRUHAPOMQZL", identity: ["W#a", "W#b"],
            changes: 170)
        #expect(first.count == 1)
        #expect(first[0].paths.count <= PathBudget().maximumPaths)
        #expect(first[0].paths.allSatisfy { $0.hasPrefix("/docs/") })
        #expect(first[0].callerReference.hasPrefix("cfwin-7-0-"))
        #expect(first[0].callerReference.count == "cfwin-7-0-".count + 32)
        let again = Planner.requests(
            window: 7, paths: paths.reversed(), target: "E2QWRUHAPOMQZL", identity: ["W#a", "W#b"],
            changes: 170)
        #expect(again == first)
        let otherItems = Planner.requests(
            window: 7, paths: paths, target: "E2QWRUHAPOMQZL", identity: ["W#a"], changes: 170)
        #expect(otherItems[0].callerReference != first[0].callerReference)
        let otherWindow = Planner.requests(
            window: 8, paths: paths, target: "E2QWRUHAPOMQZL", identity: ["W#a", "W#b"], changes: 170)
        #expect(otherWindow[0].callerReference.hasPrefix("cfwin-8-0-"))
        #expect(
            Planner.requests(window: 1, paths: [], target: "E2QWRUHAPOMQZL", identity: [], changes: 0).isEmpty)
    }
}

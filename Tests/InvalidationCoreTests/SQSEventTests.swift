import InvalidationCore
import JSONSupport
import Testing

@Suite("SQS batches")
struct SQSEventTests {
    @Test("an SQS batch of S3, EventBridge and SNS bodies, and a test event")
    func sqsMixed() throws {
        let event = EventDecoder.decode(try Fixture.bytes("aws/sqs-mixed.json"))
        #expect(event.source == .sqs)
        #expect(event.units.map(\.messageId) == ["m-s3", "m-eb", "m-sns", "m-test"])
        #expect(event.units.map { $0.changes.map(\.key) } == [["a b.html"], ["x+y.html"], ["docs/index.html"], []])
        #expect(event.units[1].changes.first?.kind == .deleted)
        #expect(event.notes.count == 1)
        #expect(event.notes.first?.record == "message m-test")
        #expect(event.notes.first?.severity == .ignored)
        #expect(event.notes.first?.reason.contains("s3:TestEvent") == true)
    }

    @Test("identity differs between uploads of the same key and repeats for the same delivery")
    func identity() {
        func event(_ id: String, _ sequencer: String) -> [UInt8] {
            let body =
                "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},"
                + "\"object\":{\"key\":\"a\",\"sequencer\":\"\(sequencer)\"}}}]}"
            return Array(
                "{\"Records\":[{\"messageId\":\"\(id)\",\"eventSource\":\"aws:sqs\",\"body\":\(JSON.quote(body))}]}"
                    .utf8)
        }
        let first = EventDecoder.decode(event("m1", "01")).changes[0].identity
        #expect(EventDecoder.decode(event("m1", "01")).changes[0].identity == first)
        #expect(EventDecoder.decode(event("m1", "02")).changes[0].identity != first)
        #expect(EventDecoder.decode(event("m2", "01")).changes[0].identity != first)
    }
}

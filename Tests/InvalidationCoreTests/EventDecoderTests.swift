import InvalidationCore
import JSONSupport
import Testing

@Suite("Recognising every S3 trigger")
struct EventDecoderTests {
    @Test("an S3 notification delivered directly: every record, created and deleted")
    func directS3() throws {
        let event = EventDecoder.decode(try Fixture.bytes("aws/s3-put.json"))
        #expect(event.source == .s3)
        #expect(event.notes.isEmpty)
        #expect(event.units.map(\.label) == ["record 0", "record 1"])
        #expect(event.changes.map(\.key) == ["HappyFace.jpg", "docs/old page+1.html"])
        #expect(event.changes.map(\.kind) == [.created, .deleted])
        #expect(event.changes.allSatisfy { $0.bucket == "amzn-s3-demo-bucket" })
        #expect(event.units.allSatisfy { $0.messageId == nil })
    }

    @Test("an SNS event delivered directly carries the S3 notification in Message")
    func directSNS() throws {
        let event = EventDecoder.decode(try Fixture.bytes("aws/sns-direct.json"))
        #expect(event.source == .sns)
        #expect(event.changes.map(\.key) == ["blog/index.html"])
        #expect(event.changes.first?.bucket == "site")
    }

    @Test("an EventBridge S3 event delivered directly: raw key, no form decoding")
    func directEventBridge() throws {
        let event = EventDecoder.decode(try Fixture.bytes("aws/eventbridge-direct.json"))
        #expect(event.source == .eventBridge)
        #expect(event.changes.map(\.key) == ["a+b c.txt"])
        #expect(event.changes.first?.bucket == "example-bucket")
    }

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

    @Test("an s3:TestEvent delivered directly is acknowledged with one note")
    func directTestEvent() {
        let event = EventDecoder.decode(
            Array(#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-22T07:53:00.5","Bucket":"b"}"#.utf8))
        #expect(event.source == .s3TestEvent)
        #expect(event.changes.isEmpty)
        #expect(event.notes.count == 1)
    }

    @Test("other S3 event types change no content and are ignored, each with a note")
    func nonContentEvents() {
        let payload = """
            {"Records":[
              {"eventName":"ObjectTagging:Put","s3":{"bucket":{"name":"b"},"object":{"key":"a"}}},
              {"eventName":"LifecycleExpiration:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"gone.html"}}},
              {"eventName":"ObjectRestore:Completed","s3":{"bucket":{"name":"b"},"object":{"key":"c"}}}
            ]}
            """
        let event = EventDecoder.decode(Array(payload.utf8))
        #expect(event.changes.map(\.key) == ["gone.html"])
        #expect(event.changes.first?.kind == .deleted)
        #expect(event.notes.map(\.record) == ["record 0", "record 2"])
        #expect(event.notes.allSatisfy { $0.severity == .ignored })
    }

    @Test(
        "unrelated and malformed events never crash and get one note",
        arguments: [
            ("not json at all", EventSource.unrecognised),
            ("", .unrecognised),
            ("[1,2,3]", .unrecognised),
            ("{\"hello\":\"world\"}", .unrecognised),
            ("{\"Records\":\"nope\"}", .unrecognised),
            ("{\"Records\":[]}", .unrecognised),
            ("{\"source\":\"aws.ec2\",\"detail-type\":\"EC2 Instance State-change Notification\"}", .unrecognised),
            (String(repeating: "[", count: 100_000), .unrecognised),
        ])
    func unrelated(payload: String, source: EventSource) {
        let event = EventDecoder.decode(Array(payload.utf8))
        #expect(event.source == source)
        #expect(event.changes.isEmpty)
        #expect(event.notes.count == 1)
    }

    @Test("a CodePipeline job is recognised, not decoded as S3")
    func codePipeline() {
        let event = EventDecoder.decode(Array(#"{"CodePipeline.job":{"id":"1","data":{}}}"#.utf8))
        #expect(event.source == .codePipeline)
    }

    @Test("each bad record in a batch gets one note naming it; every good record is still decoded")
    func badRecordsInBatch() {
        func message(_ id: String, _ body: String) -> String {
            "{\"messageId\":\"\(id)\",\"eventSource\":\"aws:sqs\",\"body\":\(JSON.quote(body))}"
        }
        func s3(_ key: String) -> String {
            "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"site\"},"
                + "\"object\":{\"key\":\(JSON.quote(key))}}}]}"
        }
        let records = [
            message("good-1", s3("a.html")),
            message("not-json", "this is not json"),
            message("malformed-json", "{\"Records\":[{"),
            message("unknown-shape", "{\"foo\":1}"),
            message("bad-percent", s3("bad%zz.html")),
            message("bad-utf8", s3("bad%C3%28.html")),
            message("empty-key", s3("")),
            message(
                "no-bucket", "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"object\":{\"key\":\"k\"}}}]}"
            ),
            "{\"messageId\":\"no-body\",\"eventSource\":\"aws:sqs\",\"body\":42}",
            message("good-2", s3("b+c.html")),
        ]
        let event = EventDecoder.decode(Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8))
        #expect(event.source == .sqs)
        #expect(event.changes.map(\.key) == ["a.html", "b c.html"])
        #expect(
            event.notes.map(\.record) == [
                "message not-json", "message malformed-json", "message unknown-shape", "message bad-percent",
                "message bad-utf8", "message empty-key", "message no-bucket", "message no-body",
            ])
        #expect(event.notes.allSatisfy { $0.severity == .rejected })
        #expect(event.notes[4].reason.contains("UTF-8"))
        #expect(event.notes[3].reason.contains("percent-encoding"))
    }

    @Test("a 6 MB payload is decoded, not refused")
    func largePayload() {
        let record =
            "{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"site\"},\"object\":{\"key\":\"k%d\"}}}"
        var records: [String] = []
        var size = 0
        var index = 0
        while size < 6 * 1024 * 1024 {
            let text =
                record.replacingOccurrencesForTest(of: "%d", with: String(index)) + String(repeating: " ", count: 900)
            records.append(text)
            size += text.utf8.count + 1
            index += 1
        }
        let event = EventDecoder.decode(Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8))
        #expect(event.changes.count == index)
        #expect(event.notes.isEmpty)
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

extension String {
    func replacingOccurrencesForTest(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

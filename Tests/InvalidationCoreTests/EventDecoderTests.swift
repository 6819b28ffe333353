import InvalidationCore
import JSONSupport
import Testing

@Suite("Recognising every trigger, and what is not one")
struct EventDecoderTests {
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
}

extension String {
    func replacingOccurrencesForTest(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

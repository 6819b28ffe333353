import InvalidationCore
import JSONSupport
import Testing

@Suite("S3 notifications")
struct S3EventTests {
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
}

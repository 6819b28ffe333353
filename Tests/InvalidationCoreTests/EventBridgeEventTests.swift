import InvalidationCore
import JSONSupport
import Testing

@Suite("EventBridge events")
struct EventBridgeEventTests {
    @Test("an EventBridge S3 event delivered directly: raw key, no form decoding")
    func directEventBridge() throws {
        let event = EventDecoder.decode(try Fixture.bytes("aws/eventbridge-direct.json"))
        #expect(event.source == .eventBridge)
        #expect(event.changes.map(\.key) == ["a+b c.txt"])
        #expect(event.changes.first?.bucket == "example-bucket")
    }
}

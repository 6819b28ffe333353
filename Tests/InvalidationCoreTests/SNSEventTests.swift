import InvalidationCore
import JSONSupport
import Testing

@Suite("SNS deliveries")
struct SNSEventTests {
    @Test("an SNS event delivered directly carries the S3 notification in Message")
    func directSNS() throws {
        let event = EventDecoder.decode(try Fixture.bytes("aws/sns-direct.json"))
        #expect(event.source == .sns)
        #expect(event.changes.map(\.key) == ["blog/index.html"])
        #expect(event.changes.first?.bucket == "site")
    }
}

import InvalidationCore
import Testing

/// Real deliveries captured from moto 5.2.1 (see Fixtures/moto/README.md): the decoder must take moto's quirks
/// (`%2F` in keys, dates without `Z`, no sequencer, `eTag` in EventBridge, a pretty-printed SNS envelope).
@Suite("moto's real SQS deliveries")
struct MotoFixtureTests {
    static let keys = [
        "old page.html", "index.html", "docs/index.html", "dir a/file b+c (1)ü=x.html", "emoji 🎉.txt",
        "tilde~hash#q?.css", "old page.html",
    ]

    @Test(
        "every route yields the same changes, the test event is a note",
        arguments: [
            "moto/s3-sqs.json", "moto/s3-sns-sqs.json", "moto/s3-eventbridge-sqs.json",
        ])
    func decodes(fixture: String) throws {
        let event = EventDecoder.decode(try Fixture.bytes(fixture))
        #expect(event.source == .sqs)
        #expect(event.changes.map(\.key) == Self.keys)
        #expect(event.changes.map(\.kind) == Array(repeating: .created, count: 6) + [.deleted])
        #expect(event.units.allSatisfy { $0.messageId != nil })
        let hasTestEvent = !fixture.contains("eventbridge")
        #expect(event.notes.count == (hasTestEvent ? 1 : 0))
        #expect(event.notes.allSatisfy { $0.severity == .ignored && $0.reason.contains("s3:TestEvent") })
        #expect(Set(event.changes.map(\.identity)).count == event.changes.count)
    }

    @Test("the plan for a moto batch: every path once, encoded, one request")
    func plans() throws {
        let event = EventDecoder.decode(try Fixture.bytes("moto/s3-sqs.json"))
        let plan = Planner.plan(event) { _ in ["EDFDVBD632BHDS5"] }
        #expect(plan.invalidations.count == 1)
        #expect(
            plan.invalidations.first?.paths == [
                "/", "/dir%20a/file%20b+c%20(1)%C3%BC=x.html", "/docs/", "/docs/index.html",
                "/emoji%20%F0%9F%8E%89.txt", "/index.html", "/old%20page.html", "/tilde%7Ehash%23q%3F.css",
            ])
    }
}

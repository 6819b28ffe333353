import Foundation
import JSONSupport
import LambdaEmulator
import Testing

@Suite("End to end: a deploy in several batches, coalesced in moto's DynamoDB", .enabled(if: Moto.isAvailable))
struct CoalescingEndToEndTests {
    @Test("three batches are recorded, the delayed flush comes back through moto's queue, one invalidation lands")
    func coalesced() async throws {
        let bucket = Moto.unique("deploy")
        let table = Moto.unique("windows")
        let distribution = try #require(try await Moto.fixture("create-distribution", "--bucket", bucket)["id"]?.string)
        try await Moto.fixture("create-table", "--name", table)
        let wired = try await Moto.fixture("wire", "--route", "s3-eventbridge-sqs", "--bucket", bucket)
        let queueURL = try #require(wired["queueUrl"]?.string)
        let batches = [["index.html", "docs/a.html"], ["docs/b.html", "img/c.png"], ["docs/d e.html"]]
        var events: [[UInt8]] = []
        for keys in batches {
            for key in keys { try await Moto.fixture("put", "--bucket", bucket, "--key", key) }
            let event = try await Moto.fixture("drain", "--queue-url", queueURL, "--expect", String(keys.count))
            events.append(Array(JSON.serialize(event).utf8))
        }
        let environment = try Moto.functionEnvironment([
            "CLOUDFRONT_DISTRIBUTION_ID": distribution, "COALESCE_TABLE": table, "QUIET_SECONDS": "1",
        ])
        let recorded = try await EmulatorSession.run(
            executable: Moto.bootstrap, environment: environment, events: events)
        #expect(recorded.initError == nil, "init error: \(recorded.logs)")
        #expect(recorded.responses == Array(repeating: #"{"batchItemFailures":[]}"#, count: 3), "\(recorded.logs)")
        #expect(recorded.logs.contains("recorded for one invalidation per deploy"))
        var landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        #expect(landed["invalidations"]?.array?.isEmpty == true, "nothing before the flush")
        let items = try await Moto.fixture("table-items", "--name", table)["items"]?.array ?? []
        #expect(items.filter { $0["sk"]?.string?.hasPrefix("W#") == true }.count == 3)

        // The flush message(s) the function sent, after their delay; an early one reschedules.
        var flushes = 0
        while landed["invalidations"]?.array?.isEmpty != false && flushes < 4 {
            flushes += 1
            let flush = try await Moto.fixture("drain", "--queue-url", queueURL, "--expect", "1", "--timeout", "15")
            #expect(flush["Records"]?.array?.first?["body"]?.string?.contains("cloudfrontInvalidator") == true)
            let report = try await EmulatorSession.run(
                executable: Moto.bootstrap, environment: environment, events: [Array(JSON.serialize(flush).utf8)])
            #expect(report.responses == [#"{"batchItemFailures":[]}"#], "\(report.logs)")
            landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        }
        let invalidations = try #require(landed["invalidations"]?.array)
        #expect(invalidations.count == 1)
        let paths = Set((invalidations.first?["paths"]?.array ?? []).compactMap(\.string))
        #expect(paths == ["/index.html", "/", "/docs/a.html", "/docs/b.html", "/img/c.png", "/docs/d%20e.html"])
        #expect(invalidations.first?["callerReference"]?.string?.hasPrefix("cfwin-0-0-") == true)
        let after = try await Moto.fixture("table-items", "--name", table)["items"]?.array ?? []
        // The window's items are gone; the month's count of billable paths (MONTHLY_PATH_BUDGET's figure) stays.
        let window = after.filter { $0["pk"]?.string?.hasPrefix("M#") != true }
        #expect(window.compactMap { $0["sk"]?.string }.sorted() == ["D#000000000000", "HEAD"])
        let month = after.first { $0["pk"]?.string?.hasPrefix("M#") == true }
        #expect(month?["sk"] == .string("PATHS"))
        #expect(month?["paths"]?.scalarText == String(paths.count), "\(after)")
    }
}

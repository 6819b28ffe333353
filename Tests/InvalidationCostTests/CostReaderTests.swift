import AWSClient
import Formats
import Foundation
import InvalidationCost
import JSONSupport
import LocalAWS
import Synchronization
import Testing

@Suite("invalidator cost: reading a month's invalidations")
struct CostReaderTests {
    /// Three invalidations in October, then five in November; the clock ends on 2026-11-16 00:00 UTC.
    static func seeded(_ bed: CostBed) async throws {
        await bed.cloudFront.addDistribution("E1COST")
        for index in 0..<3 { try await bed.create("E1COST", ["/october-\(index).html"]) }
        bed.move(to: CostBed.november.start)
        try await bed.create("E1COST", ["/a.html", "/b.html"])
        try await bed.create("E1COST", ["/img/*"])
        try await bed.create("E1COST", ["#html", "#css", "/index.html"])
        try await bed.create("E1COST", ["/*"])
        try await bed.create("E1COST", ["/docs/*", "/docs/index.html", "#docs"])
        bed.move(to: Date(timeIntervalSince1970: CostBed.november.start.timeIntervalSince1970 + 15 * 86_400))
    }

    @Test("pages newest first and stops at the first page reaching back before the month")
    func paging() async throws {
        let bed = try await CostBed()
        try await Self.seeded(bed)
        var reader = bed.reader()
        reader.pageSize = 2
        var notes: [String] = []
        let cost = try await reader.read(distributionId: "E1COST", month: CostBed.november, notes: &notes)
        // Pages: [N5, N4], [N3, N2], [N1, O3]: the third reaches October, so [O2, O1] is never asked for.
        #expect(bed.calls("ListInvalidations") == 3)
        #expect(bed.calls("GetInvalidation") == 5)
        #expect(cost.invalidations == 5)
        #expect(notes.isEmpty)
    }

    @Test("counts every item: a wildcard as one path, a cache tag as one")
    func counting() async throws {
        let bed = try await CostBed()
        try await Self.seeded(bed)
        var notes: [String] = []
        let cost = try await bed.reader().read(distributionId: "E1COST", month: CostBed.november, notes: &notes)
        #expect(cost.paths == 2 + 1 + 3 + 1 + 3)
        #expect(cost.wildcards == 3)
        #expect(cost.tags == 3)
        #expect(cost.inProgress == 0)
    }

    @Test("a past month: only its invalidations, newer ones skipped")
    func pastMonth() async throws {
        let bed = try await CostBed()
        try await Self.seeded(bed)
        var notes: [String] = []
        let cost = try await bed.reader().read(distributionId: "E1COST", month: CostBed.october, notes: &notes)
        #expect(cost.invalidations == 3)
        #expect(cost.paths == 3)
        let report = CostReport(
            month: CostBed.october, asOf: bed.clock.now(), distributions: [cost], allDistributions: true)
        #expect(report.isComplete)
        #expect(report.projectedPaths == 3, "a past month's projection is its total")
    }

    @Test("a month without invalidations, and an unknown distribution named as CloudFront names it")
    func emptyAndUnknown() async throws {
        let bed = try await CostBed()
        try await Self.seeded(bed)
        var notes: [String] = []
        let september = try #require(BillingMonth(year: 2026, month: 9))
        let cost = try await bed.reader().read(distributionId: "E1COST", month: september, notes: &notes)
        #expect(cost.invalidations == 0 && cost.paths == 0)
        await #expect(throws: AWSError.self) {
            var notes: [String] = []
            _ = try await bed.reader().read(distributionId: "E404", month: CostBed.november, notes: &notes)
        }
    }

    @Test("every distribution the credentials can list, paged")
    func distributions() async throws {
        let bed = try await CostBed()
        for id in ["E1A", "E2B", "E3C"] { await bed.cloudFront.addDistribution(id, origins: []) }
        let ids = try await bed.reader().distributionIds()
        #expect(ids == ["E1A", "E2B", "E3C"])
    }

    @Test("GetInvalidation calls are paced on the client's clock")
    func pacing() async throws {
        let bed = try await CostBed()
        await bed.cloudFront.addDistribution("E1PACE")
        bed.move(to: CostBed.november.start)
        for index in 0..<12 { try await bed.create("E1PACE", ["/\(index).html"], after: .zero) }
        let times = RequestTimes()
        await bed.cloudFront.injectFaults(times.injector)
        let sleptBefore = bed.clock.slept.total
        var notes: [String] = []
        _ = try await bed.reader(perSecond: 4, burst: 2).read(
            distributionId: "E1PACE", month: CostBed.november, notes: &notes)
        let gets = times.all.filter { $0.operation == "GetInvalidation" }.map(\.time)
        #expect(gets.count == 12)
        // Two at once, then one every quarter second: the twelfth 2.5 s after the first.
        #expect(abs(gets[11].timeIntervalSince(gets[0]) - 2.5) < 0.01, "\(gets)")
        for (earlier, later) in zip(gets.dropFirst(2), gets.dropFirst(3)) {
            #expect(later.timeIntervalSince(earlier) >= 0.249)
        }
        #expect(bed.clock.slept.total - sleptBefore >= .milliseconds(2490))
    }

    @Test("a token bucket: a burst at once, then the rate")
    func tokenBucket() async throws {
        let bed = try await CostBed()
        let pace = RequestPace(perSecond: 2, burst: 3, clock: bed.clock)
        let start = bed.clock.now()
        for _ in 0..<3 { try await pace.take() }
        #expect(bed.clock.now() == start, "the burst waits for nothing")
        for _ in 0..<4 { try await pace.take() }
        #expect(abs(bed.clock.now().timeIntervalSince(start) - 2) < 0.01)
        bed.clock.advance(by: .seconds(10))
        let rested = bed.clock.now()
        for _ in 0..<3 { try await pace.take() }
        #expect(bed.clock.now() == rested, "a rested bucket holds a burst again, never more")
        try await pace.take()
        #expect(abs(bed.clock.now().timeIntervalSince(rested) - 0.5) < 0.01)
    }

    @Test("Throttling answers are retried as the client retries them")
    func throttled() async throws {
        let bed = try await CostBed()
        try await Self.seeded(bed)
        let throttles = Counter()
        await bed.cloudFront.injectFaults { info in
            guard info.operation == "GetInvalidation", throttles.next() < 2 else { return nil }
            return .throttling
        }
        var notes: [String] = []
        let cost = try await bed.reader().read(distributionId: "E1COST", month: CostBed.november, notes: &notes)
        #expect(cost.paths == 10)
        #expect(throttles.value >= 2)
    }
}

/// Records the operation and clock time of every request the fake sees.
final class RequestTimes: Sendable {
    private let times = Mutex<[(String, Date)]>([])
    var all: [(operation: String, time: Date)] { times.withLock { $0.map { (operation: $0.0, time: $0.1) } } }
    var injector: @Sendable (FakeCloudFront.RequestInfo) -> FakeCloudFront.Fault? {
        { info in
            self.times.withLock { $0.append((info.operation, info.time)) }
            return nil
        }
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    /// The count before this call.
    func next() -> Int {
        count.withLock { count in
            count += 1
            return count - 1
        }
    }
}

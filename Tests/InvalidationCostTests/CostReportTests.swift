import Formats
import Foundation
import InvalidationCost
import JSONSupport
import Testing

@Suite("invalidator cost: the month's arithmetic")
struct CostReportTests {
    static func report(paths: [Int], asOf: Date, month: BillingMonth = CostBed.november) -> CostReport {
        let distributions = paths.enumerated().map { index, count in
            var cost = DistributionCost(distributionId: "E\(index)")
            cost.invalidations = 1
            cost.paths = count
            return cost
        }
        return CostReport(month: month, asOf: asOf, distributions: distributions, allDistributions: true)
    }

    @Test(
        "the free 1,000 paths a month, then $0.005 a path",
        arguments: [
            (0, 0, "0.000"), (999, 0, "0.000"), (1000, 0, "0.000"), (1001, 1, "0.005"), (1200, 200, "1.000"),
            (3500, 2500, "12.500"), (1_000_999, 999_999, "4999.995"),
        ])
    func freeTier(paths: Int, billable: Int, dollars: String) {
        #expect(InvalidationPricing.billable(paths: paths) == billable)
        #expect(InvalidationPricing.dollars(milliDollars: InvalidationPricing.milliDollars(paths: paths)) == dollars)
    }

    @Test("the free paths are the account's: summed over its distributions")
    func summed() {
        let report = Self.report(paths: [600, 600, 600], asOf: CostBed.december.start)
        #expect(report.paths == 1800)
        #expect(report.billablePaths == 800)
        #expect(report.json["amountUSD"] == .number("4.000"))
    }

    @Test("the projection: paths so far over the part of the month elapsed")
    func projection() {
        // November has 30 days: on the 11th at 00:00, a third of it has passed.
        let third = Date(timeIntervalSince1970: CostBed.november.start.timeIntervalSince1970 + 10 * 86_400)
        let report = Self.report(paths: [300, 100], asOf: third)
        #expect(!report.isComplete)
        #expect(report.projectedPaths == 1200)
        #expect(report.projectedBillablePaths == 200)
        #expect(report.projectedMilliDollars == 1000)
        // Rounded up: 1 path after a third of the month is 3; 1 after 0.4 of it is 2.5, so 3.
        #expect(Self.report(paths: [1], asOf: third).projectedPaths == 3)
        let twelfth = Date(timeIntervalSince1970: CostBed.november.start.timeIntervalSince1970 + 12 * 86_400)
        #expect(Self.report(paths: [1], asOf: twelfth).projectedPaths == 3)
        #expect(Self.report(paths: [0], asOf: third).projectedPaths == 0)
        #expect(Self.report(paths: [5], asOf: CostBed.november.start).projectedPaths == 0, "not begun")
        let past = Self.report(paths: [1500], asOf: CostBed.december.start)
        #expect(past.isComplete && past.projectedPaths == 1500)
    }

    @Test("--json: one object with the month, the distributions, the arithmetic and the projection")
    func jsonShape() throws {
        let asOf = Date(timeIntervalSince1970: CostBed.november.start.timeIntervalSince1970 + 15 * 86_400)
        var cost = DistributionCost(distributionId: "E1")
        cost.invalidations = 2
        cost.paths = 1100
        cost.wildcards = 3
        cost.tags = 1
        cost.inProgress = 1
        cost.fromCache = 1
        cost.read = 1
        let report = CostReport(month: CostBed.november, asOf: asOf, distributions: [cost], allDistributions: false)
        let json = try JSON.parse(JSON.serialize(report.json))
        #expect(json["month"] == .string("2026-11"))
        #expect(json["asOf"] == .string("2026-11-16T00:00:00.000Z"))
        #expect(json["complete"] == .bool(false))
        #expect(json["elapsedFraction"] == .number("0.500"))
        #expect(json["allDistributions"] == .bool(false))
        #expect(json["paths"] == .number("1100"))
        #expect(json["freePaths"] == .number("1000"))
        #expect(json["billablePaths"] == .number("100"))
        #expect(json["pricePerPathUSD"] == .number("0.005"))
        #expect(json["amountUSD"] == .number("0.500"))
        #expect(json["projection"]?["paths"] == .number("2200"))
        #expect(json["projection"]?["billablePaths"] == .number("1200"))
        #expect(json["projection"]?["amountUSD"] == .number("6.000"))
        let row = try #require(json["distributions"]?.array?.first)
        for (key, value) in [
            ("invalidations", "2"), ("paths", "1100"), ("wildcards", "3"), ("tags", "1"), ("inProgress", "1"),
            ("fromCache", "1"), ("read", "1"),
        ] {
            #expect(row[key] == .number(value), "\(key)")
        }
        #expect(row["distributionId"] == .string("E1"))
    }

    @Test("the text: a table, the free paths, the amount, the projection")
    func text() {
        let asOf = Date(timeIntervalSince1970: CostBed.november.start.timeIntervalSince1970 + 15 * 86_400)
        let lines = Self.report(paths: [1100, 20], asOf: asOf).text
        #expect(
            lines[0] == "CloudFront invalidation paths in 2026-11, to 2026-11-16T00:00:00.000Z (50.0% of the month)")
        #expect(lines[1].hasPrefix("DISTRIBUTION  INVALIDATIONS  PATHS"))
        #expect(lines.contains("total                     2   1120"))
        #expect(lines.contains("beyond the free paths: 120 × $0.005 = $0.600"))
        #expect(lines.contains("projection for the month at this pace: 2240 paths, 1240 beyond the free ones, $6.200"))
    }

    @Test(
        "months: YYYY-MM exactly, UTC bounds, December to January",
        arguments: ["2026-1", "26-11", "2026-13", "2026-00", "2026/11", "２０２６-11", ""])
    func badMonths(text: String) {
        #expect(BillingMonth(parsing: text) == nil)
    }

    @Test("month bounds")
    func bounds() throws {
        let december = try #require(BillingMonth(parsing: "2026-12"))
        #expect(RFC3339.format(december.start) == "2026-12-01T00:00:00.000Z")
        #expect(RFC3339.format(december.end) == "2027-01-01T00:00:00.000Z")
        #expect(BillingMonth(containing: december.end) == BillingMonth(parsing: "2027-01"))
        #expect(BillingMonth(containing: december.end.addingTimeInterval(-0.001)) == december)
        #expect(december.description == "2026-12")
        #expect(BillingMonth(parsing: "0999-02")?.description == "0999-02")
    }
}

import AWSClient
import AWSTestSupport
import Formats
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import LocalAWS
import Testing

/// `MONTHLY_PATH_BUDGET` in the handler, against the strict fakes on a virtual clock (2026-11-20).
struct BudgetBed {
    static let table = "windows"
    let clock = VirtualClock(start: Date(timeIntervalSince1970: 1_795_132_800))
    let cloudFront: FakeCloudFront
    let dynamoDB: FakeDynamoDB
    let transport: RoutingTransport
    let log = RecordingLog()

    init() async throws {
        cloudFront = FakeCloudFront.inProcess(clock: clock)
        await cloudFront.addDistribution("E1")
        dynamoDB = FakeDynamoDB(clock: clock)
        await dynamoDB.createTable(Self.table, partitionKey: "pk", sortKey: "sk")
        transport = RoutingTransport(["cloudfront": cloudFront.transport, "dynamodb": dynamoDB.transport])
    }

    /// A handler (a new container) with this budget, keeping the month's figure in the table or estimating it.
    func handler(budget: Int?, table: Bool) throws -> InvalidationHandler {
        var handler = try strictHandler(cloudFront, clock: clock, transport: transport)
        var dynamo: (dynamoDB: DynamoDBClient, name: String)?
        if table {
            let client = try DynamoDBClient(
                configuration: AWSConfiguration(environment: environment), transport: transport, clock: clock,
                random: { 0 })
            dynamo = (client, Self.table)
        }
        handler.monthlyTally = MonthlyPathTally(budget: budget.map(MonthlyPathBudget.init(limit:)), table: dynamo)
        return handler
    }

    /// One direct S3 invocation with these keys; the paths CloudFront was sent.
    @discardableResult
    func invoke(_ handler: InvalidationHandler, _ keys: [String]) async -> [String] {
        let before = await cloudFront.invalidations.count
        let body = Array(s3Body(bucket: "site", keys: keys, sequencer: "01").utf8)
        _ = await handler.handle(invocation(body, clock: clock, seconds: 60), logger: log.logger)
        return await cloudFront.invalidations.dropFirst(before).flatMap(\.paths)
    }

    /// The last metrics line, parsed.
    var metrics: JSONValue? {
        log.all.last { $0.hasPrefix("{\"_aws\"") }.flatMap { try? JSON.parse($0) }
    }

    var warnings: Int { log.all.filter { $0.contains("MONTHLY_PATH_BUDGET nearly spent") }.count }

    /// The table's count for November 2026.
    func tableFigure() async -> FakeDynamoDB.Value? {
        await dynamoDB.items(in: Self.table).first { $0["pk"] == .string("M#2026-11") }?["paths"]
    }
}

@Suite("MONTHLY_PATH_BUDGET in the function")
struct MonthlyBudgetTests {
    static func keys(_ directory: String, _ count: Int) -> [String] { (0..<count).map { "\(directory)/\($0).html" } }

    @Test("without a table: this container's estimate holds the plans, marked as an estimate; a warning once")
    func estimate() async throws {
        let bed = try await BudgetBed()
        let handler = try bed.handler(budget: 130, table: false)
        #expect(await bed.invoke(handler, Self.keys("a", 25)).count == 25, "105 left, more than MAX_PATHS: exact")
        #expect(bed.metrics?["MonthBillablePaths"] == .number("25"))
        #expect(bed.metrics?["MonthBillablePathsEstimated"] == .string("true"))
        #expect(await bed.invoke(handler, Self.keys("b", 90)).count == 90)
        #expect(bed.warnings == 0)
        #expect(await bed.invoke(handler, Self.keys("c", 10) + Self.keys("d", 10)) == ["/c/*", "/d/*"], "15 left")
        #expect(bed.warnings == 1)
        #expect(bed.metrics?["MonthBillablePaths"] == .number("117"))
        #expect(await bed.invoke(handler, Self.keys("e", 3)).count == 3, "13 left: three exact paths still fit")
        let scattered = (0..<12).flatMap { Self.keys("dir\($0)", 2) }
        #expect(await bed.invoke(handler, scattered) == ["/*"], "10 left, and no narrower plan fits")
        #expect(await bed.invoke(handler, Self.keys("f", 1)) == ["/f/0.html"], "a single change stays exact")
        #expect(bed.warnings == 1, "once per container per month")
        #expect(bed.metrics?["MonthBillablePaths"] == .number("122"))

        // A new month: the estimate starts again, and so may the warning.
        bed.clock.advance(by: .seconds(11 * 86_400))
        // (Other keys: the same changes again would replay November's CallerReferences, creating nothing.)
        #expect(await bed.invoke(handler, Self.keys("na", 25)).count == 25)
        #expect(bed.metrics?["MonthBillablePaths"] == .number("25"))
        #expect(await bed.invoke(handler, Self.keys("nb", 90)).count == 90)
        #expect(await bed.invoke(handler, Self.keys("nc", 10) + Self.keys("nd", 10)) == ["/nc/*", "/nd/*"])
        #expect(bed.warnings == 2)
    }

    @Test("with the coalescing table: an atomic ADD per invocation, shared by every container")
    func table() async throws {
        let bed = try await BudgetBed()
        let first = try bed.handler(budget: 130, table: true)
        #expect(await bed.invoke(first, Self.keys("a", 25)).count == 25)
        #expect(await bed.tableFigure() == .number("25"))
        #expect(bed.metrics?["MonthBillablePaths"] == .number("25"))
        #expect(bed.metrics?["MonthBillablePathsEstimated"] == .string("false"))
        #expect(await bed.invoke(first, Self.keys("b", 90)).count == 90)
        // Another container knows nothing of the first but reads the table.
        let second = try bed.handler(budget: 130, table: true)
        #expect(await bed.invoke(second, Self.keys("c", 10) + Self.keys("d", 10)) == ["/c/*", "/d/*"])
        #expect(await bed.tableFigure() == .number("117"))
        #expect(bed.metrics?["MonthBillablePaths"] == .number("117"))
        #expect(bed.warnings == 1)
        let item = await bed.dynamoDB.items(in: BudgetBed.table).first { $0["pk"] == .string("M#2026-11") }
        #expect(item?["sk"] == .string("PATHS"))
        #expect(item?["expires"] != nil, "left to the table's TTL once the month is long past")
    }

    @Test("without a budget the table still counts, for the metric; nothing is held")
    func noBudget() async throws {
        let bed = try await BudgetBed()
        let handler = try bed.handler(budget: nil, table: true)
        #expect(await bed.invoke(handler, Self.keys("a", 25)).count == 25)
        #expect(await bed.invoke(handler, Self.keys("b", 25)).count == 25)
        #expect(await bed.tableFigure() == .number("50"))
        #expect(bed.metrics?["MonthBillablePaths"] == .number("50"))
        #expect(bed.warnings == 0)
    }

    @Test("a table that fails: the estimate, marked as one, with a warning; the invalidation still goes")
    func tableFails() async throws {
        let bed = try await BudgetBed()
        await bed.dynamoDB.injectFaults { _ in .answer(status: 400, code: "AccessDeniedException", message: "denied") }
        let handler = try bed.handler(budget: 130, table: true)
        #expect(await bed.invoke(handler, Self.keys("a", 25)).count == 25)
        #expect(bed.metrics?["MonthBillablePaths"] == .number("25"))
        #expect(bed.metrics?["MonthBillablePathsEstimated"] == .string("true"))
        #expect(bed.log.all.contains { $0.contains("could not read the month's billable paths") })
        #expect(bed.log.all.contains { $0.contains("could not add to the month's billable paths") })
    }

    @Test("the EMF line declares MonthBillablePaths as a metric only when the figure is known")
    func emf() throws {
        var metrics = InvocationMetrics()
        let without = try JSON.parse(metrics.emf(namespace: "N", timestamp: Date(timeIntervalSince1970: 0)))
        #expect(without["MonthBillablePaths"] == nil && without["MonthBillablePathsEstimated"] == nil)
        metrics.monthBillablePaths = 1234
        metrics.monthBillablePathsEstimated = true
        let line = try JSON.parse(metrics.emf(namespace: "N", timestamp: Date(timeIntervalSince1970: 0)))
        #expect(line["MonthBillablePaths"] == .number("1234"))
        #expect(line["MonthBillablePathsEstimated"] == .string("true"))
        let declared = line["_aws"]?["CloudWatchMetrics"]?.array?.first?["Metrics"]?.array ?? []
        #expect(declared.contains(.object(["Name": .string("MonthBillablePaths"), "Unit": .string("Count")])))
    }

    @Test("MONTHLY_PATH_BUDGET: a positive whole number, or unset")
    func configuration() throws {
        #expect(try Configuration(environment: [:]).monthlyPathBudget == nil)
        #expect(try Configuration(environment: ["MONTHLY_PATH_BUDGET": " "]).monthlyPathBudget == nil)
        #expect(try Configuration(environment: ["MONTHLY_PATH_BUDGET": "5000"]).monthlyPathBudget?.limit == 5000)
        for bad in ["0", "-1", "abc", "1.5", "1e3", "99999999999999999999"] {
            #expect {
                _ = try Configuration(environment: ["MONTHLY_PATH_BUDGET": bad])
            } throws: { error in
                (error as? ConfigurationError)?.variable == "MONTHLY_PATH_BUDGET"
            }
        }
    }

    @Test("coalescing: a batch that only records reads no month's figure; its window's flush is budgeted")
    func recordingReadsNothing() async throws {
        var bed = try await CoalescingBed()
        let dynamoDB = try DynamoDBClient(
            configuration: AWSConfiguration(environment: environment), transport: bed.dynamoDB.transport,
            clock: bed.clock)
        bed.handler.monthlyTally = MonthlyPathTally(
            budget: MonthlyPathBudget(limit: 1000), table: (dynamoDB: dynamoDB, name: CoalescingBed.table))
        #expect(await bed.invoke([(id: "m1", body: s3Body("a.html"))]) == [])
        #expect(await bed.dynamoDB.counters.requests["GetItem"] ?? 0 == 1, "the window's HEAD only")
        #expect(await bed.deliverAllFlushes() == 1)
        #expect(await bed.dynamoDB.counters.requests["GetItem"] ?? 0 > 1, "the flush reads the month's figure")
        #expect(await bed.cloudFront.invalidations.count == 1)
    }
}

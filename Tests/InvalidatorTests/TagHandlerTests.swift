import AWSClient
import FoundationEssentials
import InvalidationCore
import Invalidator
import LambdaRuntime
import LocalAWS
import Testing

/// `TAG_RULES` through the function as it starts (`Startup`), against the strict fake CloudFront with its
/// edge-cache model: tags only where the distribution's `CacheTagConfig` names `CACHE_TAG_HEADER`, else paths and
/// one warning however many batches.
@Suite("Tags in the function")
struct TagHandlerTests {
    static let pages = (0..<150).map { "f\($0 % 15)/page-\($0).html" }
    static let assets = ["f0/a.css", "f1/b.css", "f2/c.js"]

    func run(header: String?, batches: Int) async throws -> (items: [[String]], log: [String], stale: [String]) {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1SITE", origins: [("site.s3.amazonaws.com", "")], cacheTagHeader: header)
        let paths = { (key: String) in CloudFrontPath.paths(forKey: key, indexDocument: "index.html") }
        await cloudFront.seedEdgeCache(
            "E1SITE",
            objects: Self.pages.flatMap { paths($0).map { EdgeCache.Object(path: $0, tags: ["html"]) } }
                + Self.assets.flatMap { paths($0).map { EdgeCache.Object(path: $0) } })
        var environment = HandlerTestsEnvironment.values
        environment["AWS_ENDPOINT_URL_CLOUDFRONT"] = cloudFront.endpoint
        environment["CLOUDFRONT_DISTRIBUTION_ID"] = "E1SITE"
        environment["TAG_RULES"] = "*.html=html"
        let log = RecordingLog()
        let handler = try await Startup(environment: environment, transport: HTTP1Transport())
            .makeHandler(logger: log.logger)
        let changedAt = Date().addingTimeInterval(-60)
        for batch in 0..<batches {
            let body = s3Body(bucket: "site", keys: Self.pages + Self.assets, sequencer: String(batch))
            let result = await handler.handle(invocation(Array(body.utf8)), logger: log.logger)
            _ = try result.get()
        }
        let changes = (Self.pages + Self.assets).flatMap(paths).map { EdgeCache.Change(path: $0, time: changedAt) }
        let stale = await cloudFront.edgeCacheFigures("E1SITE", changes: changes)?.stale ?? ["not seeded"]
        let items = await cloudFront.invalidations.map(\.paths)
        await cloudFront.shutdown()
        return (items, log.all, stale)
    }

    @Test("TAG_RULES is parsed into the planner's settings; a bad entry is a ConfigurationError naming it")
    func configuration() throws {
        let rules = try Configuration(environment: ["TAG_RULES": "*.html=html, docs/*=docs"]).planner.tagRules
        #expect(rules.rules.map(\.item) == ["#html", "#docs"])
        #expect(throws: ConfigurationError.self) { try Configuration(environment: ["TAG_RULES": "*.html"]) }
        do {
            _ = try Configuration(environment: ["TAG_RULES": "*.html=html,*.css=a b"])
            Issue.record("a tag with a space was accepted")
        } catch {
            #expect(error.variable == "TAG_RULES")
            #expect(error.message.contains(#"entry "*.css=a b""#), "\(error.message)")
        }
    }

    @Test("a confirmed CacheTagConfig: #html and the three other paths, no warning")
    func confirmed() async throws {
        let (items, log, stale) = try await run(header: "x-amz-meta-cache-tag", batches: 1)
        #expect(items == [["#html", "/f0/a.css", "/f1/b.css", "/f2/c.js"]])
        #expect(stale.isEmpty)
        #expect(!log.contains { $0.contains("cache tags not used") }, "\(log)")
    }

    @Test("no CacheTagConfig: the path plan, stale 0, and one warning naming the distribution over three batches")
    func unconfirmed() async throws {
        let (items, log, stale) = try await run(header: nil, batches: 3)
        #expect(items.count == 3)
        #expect(!items.joined().contains { CacheTag.isItem($0) })
        let exact = Set((Self.pages + Self.assets).map { "/" + $0 }).sorted()
        #expect(items[0] == PathCollapser.collapse(exact, budget: PathBudget()))
        #expect(stale.isEmpty)
        let warnings = log.filter { $0.contains("cache tags not used for distribution E1SITE") }
        #expect(warnings.count == 1, "\(log)")
    }
}

/// An S3 notification of created keys, each record with its own sequencer (so each batch is a new change).
func s3Body(bucket: String, keys: [String], sequencer: String) -> String {
    let records = keys.map {
        "{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"\(bucket)\"},\"object\":{\"key\":"
            + "\"\($0)\",\"sequencer\":\"\(sequencer)\"}}}"
    }
    return "{\"Records\":[\(records.joined(separator: ","))]}"
}

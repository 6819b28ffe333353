import AWSClient
import FoundationEssentials
import InvalidationCore
import Invalidator
import LocalAWS
import Testing

/// `TAG_RULES` with coalescing, through the handler against the strict fakes: the batches record their paths with
/// the tags of their objects, and the flush covers the whole window by tag only on a distribution whose
/// `CacheTagConfig` it confirmed; otherwise it plans paths, with no record line ever reaching CloudFront.
@Suite("Tags in a coalesced window")
struct TagCoalescingTests {
    static let pages = (0..<300).map { "f\($0 % 15)/page-\($0).html" }
    static let assets = ["f0/a.css", "f1/b.css", "f2/c.js"]

    func deploy(header: String?) async throws -> (items: [[String]], bed: CoalescingBed) {
        var bed = try await CoalescingBed()
        await bed.cloudFront.addDistribution(CoalescingBed.distribution, origins: [], cacheTagHeader: header)
        bed.handler.planner.tagRules = try TagRules(parsing: "*.html=html")
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(environment: environment), transport: bed.cloudFront.transport,
            clock: bed.clock)
        bed.handler.cacheTagCheck = CacheTagCheck(cloudFront: client, settings: CacheTagSettings())
        #expect(await bed.upload(Array(Self.pages.prefix(150)), prefix: "a") == [])
        #expect(await bed.upload(Array(Self.pages.dropFirst(150)) + Self.assets, prefix: "b") == [])
        #expect(await bed.invalidations.isEmpty, "recorded, not yet flushed")
        _ = await bed.deliverAllFlushes()
        return (await bed.invalidations.map(\.paths), bed)
    }

    @Test("confirmed: one invalidation of the whole deploy, #html and the three other paths")
    func confirmed() async throws {
        let (items, bed) = try await deploy(header: "x-amz-meta-cache-tag")
        #expect(items == [["#html", "/f0/a.css", "/f1/b.css", "/f2/c.js"]])
        #expect(!bed.log.all.contains { $0.contains("cache tags not used") })
        await bed.cloudFront.shutdown()
    }

    @Test("unconfirmed: the window's paths planned with the budget, tags stripped, one warning")
    func unconfirmed() async throws {
        let (items, bed) = try await deploy(header: nil)
        let exact = Set((Self.pages + Self.assets).map { "/" + $0 }).sorted()
        #expect(items == [PathCollapser.collapse(exact, budget: PathBudget())])
        #expect(!items.joined().contains { $0.contains("\t") || CacheTag.isItem($0) })
        #expect(bed.log.all.filter { $0.contains("cache tags not used for distribution E1") }.count == 1)
        await bed.cloudFront.shutdown()
    }
}

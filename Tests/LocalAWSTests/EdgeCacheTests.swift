import AWSClient
import AWSTestSupport
import FoundationEssentials
import LocalAWS
import Testing

/// The edge-cache model: what each invalidation purges (exact paths, wildcards, tags) and a deploy's stale and
/// over-invalidated objects, alone and through the fake's `CreateInvalidation`.
@Suite("EdgeCache")
struct EdgeCacheTests {
    /// A small site: two pages tagged html (one also docs), an image, a stylesheet, an index and its directory URL.
    static let site: [EdgeCache.Object] = [
        .init(path: "/docs/a.html", tags: ["html", "Docs"]),
        .init(path: "/docs/b%20c.html", tags: ["HTML"]),
        .init(path: "/docs/img/logo.png"),
        .init(path: "/docs-old/x.html", tags: ["html"]),
        .init(path: "/css/site.css", tags: ["assets"]),
        .init(path: "/", tags: ["html"]),
        .init(path: "/index.html", tags: ["html"]),
    ]
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(
        "an item purges what CloudFront would: exact bytes, a wildcard's prefix, a tag case-insensitively",
        arguments: [
            (["/docs/a.html"], ["/docs/a.html"]),
            (["/docs/b%20c.html"], ["/docs/b%20c.html"]),
            (["/docs/b c.html"], []),  // percent-encoding is compared as sent
            (["/docs/b%20C.html"], []),  // paths are case-sensitive
            (["/Docs/a.html"], []),
            (["/docs/*"], ["/docs/a.html", "/docs/b%20c.html", "/docs/img/logo.png"]),
            (["/docs*"], ["/docs/a.html", "/docs/b%20c.html", "/docs/img/logo.png", "/docs-old/x.html"]),
            (["/index.html*"], ["/index.html"]),
            (["#html"], ["/docs/a.html", "/docs/b%20c.html", "/docs-old/x.html", "/", "/index.html"]),
            (["#HTML"], ["/docs/a.html", "/docs/b%20c.html", "/docs-old/x.html", "/", "/index.html"]),
            (["#docs"], ["/docs/a.html"]),
            (["#htm"], []),
            (["#missing", "/nothing"], []),
            // A mixed invalidation: the union, each object once.
            (["#docs", "/css/*", "/docs/a.html", "/"], ["/docs/a.html", "/css/site.css", "/"]),
            (["/*"], EdgeCacheTests.site.map(\.path)),
        ])
    func matching(items: [String], purged: [String]) {
        #expect(EdgeCache(objects: Self.site).purged(by: items) == purged)
    }

    @Test("stale: a changed object no invalidation created at or after its change purged")
    func stale() {
        var cache = EdgeCache(objects: Self.site)
        let t0 = Self.start
        cache.record(invalidationId: "I1", created: t0.addingTimeInterval(10), items: ["#html"])
        cache.record(invalidationId: "I2", created: t0.addingTimeInterval(20), items: ["/css/site.css"])
        let changes: [EdgeCache.Change] = [
            .init(path: "/docs/a.html", time: t0),  // purged by I1, after
            .init(path: "/index.html", time: t0.addingTimeInterval(10)),  // purged by I1, created at the change
            .init(path: "/docs/b%20c.html", time: t0.addingTimeInterval(11)),  // I1 came before: stale
            .init(path: "/css/site.css", time: t0.addingTimeInterval(5)),  // I2
            .init(path: "/docs/img/logo.png", time: t0),  // nothing purges it: stale
            .init(path: "/new.html", time: t0),  // not seeded, no path item matches: stale
        ]
        let figures = cache.figures(changes: changes)
        #expect(figures.stale == ["/docs/b%20c.html", "/docs/img/logo.png", "/new.html"])
        #expect(figures.overInvalidated == ["/", "/docs-old/x.html"])
        #expect(figures.invalidations == 2)
        #expect(figures.billableItems == 2)
    }

    @Test("an object changed twice must be purged after its last change; an unseeded one is matched by path")
    func lastChange() {
        var cache = EdgeCache(objects: Self.site)
        let t0 = Self.start
        cache.record(invalidationId: "I1", created: t0.addingTimeInterval(5), items: ["/docs/a.html", "/new/*"])
        let changes: [EdgeCache.Change] = [
            .init(path: "/docs/a.html", time: t0), .init(path: "/docs/a.html", time: t0.addingTimeInterval(6)),
            .init(path: "/new/page.html", time: t0),
        ]
        #expect(cache.figures(changes: changes).stale == ["/docs/a.html"])
        cache.record(invalidationId: "I2", created: t0.addingTimeInterval(6), items: ["#docs"])
        let figures = cache.figures(changes: changes)
        #expect(figures.stale.isEmpty)
        #expect(figures.overInvalidated.isEmpty)
    }

    @Test("/* leaves nothing stale and purges every unchanged object; clearPurges starts the next deploy afresh")
    func everything() {
        var cache = EdgeCache(objects: Self.site)
        cache.record(invalidationId: "I1", created: Self.start.addingTimeInterval(1), items: ["/*"])
        let changes = [EdgeCache.Change(path: "/docs/a.html", time: Self.start)]
        let figures = cache.figures(changes: changes)
        #expect(figures.stale.isEmpty)
        #expect(figures.overInvalidated.count == Self.site.count - 1)
        cache.clearPurges()
        #expect(cache.figures(changes: changes).stale == ["/docs/a.html"])
        #expect(cache.figures(changes: changes).overInvalidated.isEmpty)
    }

    @Test("through the fake: created invalidations purge, replays and refusals do not; tags are checked and counted")
    func throughTheFake() async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock)
        await cloudFront.addDistribution("E1")
        await cloudFront.addDistribution("E2")
        await cloudFront.seedEdgeCache("E1", objects: Self.site)
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(environment: FakeCloudFrontTests.environment),
            transport: cloudFront.transport, clock: clock)
        func create(_ distribution: String, _ reference: String, _ items: [String]) async -> String {
            do {
                return try await client.createInvalidation(
                    distributionId: distribution, callerReference: reference, paths: items
                ).status
            } catch {
                return error.code
            }
        }
        let changed = clock.now()
        clock.advance(by: .seconds(1))
        #expect(await create("E1", "r1", ["#HTML", "/css/site.css"]) == "Completed")
        #expect(await create("E1", "r1", ["#HTML", "/css/site.css"]) == "Completed", "a replay")
        #expect(await create("E1", "r2", ["#a,b"]) == "InvalidArgument")
        #expect(await create("E2", "r3", ["/*"]) == "Completed", "another distribution's cache")
        let cache = try #require(await cloudFront.edgeCache("E1"))
        #expect(cache.purges.count == 1)
        let figures = try #require(
            await cloudFront.edgeCacheFigures(
                "E1",
                changes: [
                    .init(path: "/docs/a.html", time: changed), .init(path: "/docs/img/logo.png", time: changed),
                ]))
        #expect(figures.stale == ["/docs/img/logo.png"])
        #expect(
            figures.overInvalidated == ["/", "/css/site.css", "/docs-old/x.html", "/docs/b%20c.html", "/index.html"])
        #expect(await cloudFront.edgeCache("E2") == nil)
        await cloudFront.clearEdgeCachePurges("E1")
        #expect(await cloudFront.edgeCache("E1")?.purges.isEmpty == true)
        await cloudFront.shutdown()
    }

    @Test(
        "the fake refuses a malformed tag item as CloudFront would",
        arguments: ["#", "#a b", "#a,b", "#page*", "#caf\u{E9}", "#" + String(repeating: "t", count: 257)])
    func malformedTag(item: String) async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock)
        await cloudFront.addDistribution("E1")
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(environment: FakeCloudFrontTests.environment),
            transport: cloudFront.transport, clock: clock)
        await #expect {
            _ = try await client.createInvalidation(distributionId: "E1", callerReference: "r", paths: ["/a", item])
        } throws: { error in
            (error as? AWSError)?.code == "InvalidArgument"
        }
        #expect(await cloudFront.counters.created == 0)
        await cloudFront.shutdown()
    }

    @Test("a tag counts as one file path toward the in-progress limit, never as a wildcard")
    func tagLimits() async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock, limits: .init(filePaths: 3, wildcardPaths: 1))
        await cloudFront.addDistribution("E1")
        await cloudFront.completeInvalidations(after: .seconds(60))
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(environment: FakeCloudFrontTests.environment),
            transport: cloudFront.transport, clock: clock)
        func create(_ reference: String, _ items: [String]) async -> String {
            do {
                return try await client.createInvalidation(
                    distributionId: "E1", callerReference: reference, paths: items
                ).status
            } catch {
                return error.code
            }
        }
        #expect(await create("big", ["#a", "#b", "#c", "/d"]) == "BatchTooLarge")
        #expect(await create("tags", ["#a", "#b", "/w*"]) == "InProgress", "two tags and a wildcard fit 3 + 1")
        #expect(await create("one", ["#c"]) == "InProgress", "the third file path")
        #expect(await create("more", ["#d"]) == "TooManyInvalidationsInProgress")
        #expect(await cloudFront.invalidations.first?.fileCount == 2)
        #expect(await cloudFront.invalidations.first?.wildcardCount == 1)
        await cloudFront.shutdown()
    }
}

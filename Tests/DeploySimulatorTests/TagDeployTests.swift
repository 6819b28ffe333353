import AWSTestSupport
import DeploySimulator
import Invalidator
import Testing

/// Issue 16's standard deploy uploaded through the simulated queue and event source, coalesced by the real handler
/// with `TAG_RULES=*.html=html`, measured on the edge-cache model: with the distribution's `CacheTagConfig`, one
/// invalidation of `#html` and the 20 other paths, no image purged; without it, the budget's wildcards.
@Suite("Cache tags over a whole deploy")
struct TagDeployTests {
    static let site = Deploy.standardTagSite()
    static let assets = site.changed.filter { !$0.hasSuffix(".html") }
    static let images = site.unchanged

    static func run(header: String?) async throws -> Figures {
        var random = SeededRandom(seed: 16)
        let deploy = Deploy.make(keys: site.changed, seconds: 60, transfers: 10, random: &random)
        var scenario = Scenario(
            deploy: deploy, mapping: EventSourceMapping(batchSize: 100, batchingWindow: 1, maximumConcurrency: 2),
            seed: 16)
        scenario.coalescing = CoalesceSettings(table: "windows")
        scenario.tags = Scenario.Tags(rules: "*.html=html", header: header, unchanged: images)
        return try await DeploySimulation.run(scenario)
    }

    @Test("a confirmed CacheTagConfig: one invalidation of 21 items, stale 0, no image purged")
    func confirmed() async throws {
        #expect(Self.site.changed.count == 3020 && Self.assets.count == 20 && Self.images.count == 5000)
        let figures = try await Self.run(header: "x-amz-meta-cache-tag")
        #expect(figures.invocations > 10, "many batches, one window")
        #expect(figures.created == 1)
        #expect(figures.billablePaths == 1 + Self.assets.count)
        #expect(figures.stale.isEmpty, "\(figures.stale.prefix(5))")
        #expect(figures.overInvalidated.isEmpty)
        #expect(figures.lost.isEmpty)
    }

    @Test("no CacheTagConfig: the budget's 10 wildcards, stale 0, every image purged")
    func unconfirmed() async throws {
        let figures = try await Self.run(header: nil)
        #expect(figures.created == 1)
        #expect(figures.billablePaths == 10)
        #expect(figures.stale.isEmpty, "\(figures.stale.prefix(5))")
        #expect(figures.overInvalidated.count { $0.hasSuffix(".png") } == Self.images.count)
        #expect(figures.lost.isEmpty)
    }
}

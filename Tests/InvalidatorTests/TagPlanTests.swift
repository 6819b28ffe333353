import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import JSONSupport
import LocalAWS
import Testing

/// The planner covering changes with `TAG_RULES`' tags, measured on the edge-cache model: the standard deploy of
/// issue 16 in each mode (the README's table), and random sites with deletions, where no mode may leave a change
/// stale.
@Suite("Tags in the planner, on the edge-cache model")
struct TagPlanTests {
    /// An S3 notification of these changes (a direct invoke), as the function decodes it.
    static func event(created: [String], deleted: [String] = []) -> DecodedEvent {
        let records =
            created.map { ("ObjectCreated:Put", $0) } + deleted.map { ("ObjectRemoved:Delete", $0) }
        let json = records.enumerated().map { index, record in
            "{\"eventName\":\"\(record.0)\",\"s3\":{\"bucket\":{\"name\":\"site\"},"
                + "\"object\":{\"key\":\(JSON.quote(record.1)),\"sequencer\":\"\(index)\"}}}"
        }
        return EventDecoder.decode(Array("{\"Records\":[\(json.joined(separator: ","))]}".utf8))
    }

    /// Issue 16's standard deploy: 3,000 pages in 200 folders (20 in each of 10 sections) rewritten (each folder's
    /// `index.html` also cached as the folder's URL), 20 stylesheets and scripts changed in the first 20 folders,
    /// 5,000 images unchanged in the same folders. Pages carry `html` at the origin; nothing else carries a tag.
    enum StandardDeploy {
        static func folder(_ index: Int) -> String { "s\(index % 200 % 10)/f\(index % 200)/" }
        static let pages = (0..<3000).map { index in
            folder(index) + (index < 200 ? "index.html" : "page-\(index).html")
        }
        static let assets = (0..<20).map { folder($0) + ($0 % 2 == 0 ? "style-\($0).css" : "app-\($0).js") }
        static let images = (0..<5000).map { folder($0) + "img-\($0).png" }

        static func paths(_ key: String) -> [String] { CloudFrontPath.paths(forKey: key, indexDocument: "index.html") }

        static var objects: [EdgeCache.Object] {
            pages.flatMap { key in paths(key).map { EdgeCache.Object(path: $0, tags: ["html"]) } }
                + (assets + images).flatMap { key in paths(key).map { EdgeCache.Object(path: $0) } }
        }

        /// The deploy's figures on the model when planned with these rules for a distribution whose
        /// `CacheTagConfig` is (or is not) confirmed.
        static func figures(
            settings: PlannerSettings, tagging: Bool
        ) -> (figures: EdgeCache.Figures, items: [String], imagesPurged: Int) {
            let plan = Planner.plan(
                event(created: pages + assets), settings: settings, tagging: tagging ? ["E1"] : [],
                targets: { _ in [DistributionTarget(distributionId: "E1")] })
            let changedAt = Date(timeIntervalSince1970: 1_800_000_000)
            var cache = EdgeCache(objects: objects)
            for (index, request) in plan.invalidations.enumerated() {
                cache.record(
                    invalidationId: "I\(index)", created: changedAt.addingTimeInterval(1), items: request.paths)
            }
            let changes = (pages + assets).flatMap(paths).map { EdgeCache.Change(path: $0, time: changedAt) }
            let figures = cache.figures(changes: changes)
            return (
                figures, plan.invalidations.flatMap(\.paths), figures.overInvalidated.count { $0.hasSuffix(".png") }
            )
        }
    }

    static var tagSettings: PlannerSettings {
        var settings = PlannerSettings()
        settings.tagRules = try! TagRules(parsing: "*.html=html")
        return settings
    }

    @Test("the standard deploy with TAG_RULES=*.html=html and a confirmed CacheTagConfig: #html and 20 paths")
    func standardDeployTagged() {
        let (figures, items, imagesPurged) = StandardDeploy.figures(settings: Self.tagSettings, tagging: true)
        #expect(figures.stale.isEmpty, "stale: \(figures.stale.prefix(5))")
        #expect(items == ["#html"] + StandardDeploy.assets.map { "/" + $0 }.sorted())
        #expect(figures.billableItems == 1 + StandardDeploy.assets.count)
        #expect(imagesPurged == 0)
        #expect(figures.overInvalidated.isEmpty, "every page changed: the tag purges nothing unchanged")
    }

    @Test("the same deploy unconfirmed (or without rules): the path plan of the budget, stale 0, images purged")
    func standardDeployPaths() {
        let unconfirmed = StandardDeploy.figures(settings: Self.tagSettings, tagging: false)
        let noRules = StandardDeploy.figures(settings: PlannerSettings(), tagging: true)
        #expect(unconfirmed.items == noRules.items, "unconfirmed plans exactly what no rules plan")
        #expect(!unconfirmed.items.contains { CacheTag.isItem($0) })
        #expect(unconfirmed.figures.stale.isEmpty)
        #expect(unconfirmed.items == (0..<10).map { "/s\($0)/*" }, "the budget's ten section wildcards")
        #expect(unconfirmed.figures.billableItems == 10)
        #expect(unconfirmed.imagesPurged == 5000)
        var everything = PlannerSettings()
        everything.budget = PathBudget(maximumPaths: 100, maximumWildcards: 0)
        let slashStar = StandardDeploy.figures(settings: everything, tagging: false)
        #expect(slashStar.items == ["/*"])
        #expect(slashStar.figures.stale.isEmpty)
        #expect(slashStar.imagesPurged == 5000)
        #expect(slashStar.figures.overInvalidated.count == 5000)
    }

    @Test(
        "property: tags, the budget's paths or exact, with deletions and any budget, no change is left stale, and a tag purges pages only",
        arguments: 0..<40)
    func property(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &* 7919 &+ 3)
        var keys = Set<String>()
        for _ in 0..<Int.random(in: 50...600, using: &random) {
            let folder = "d\(Int.random(in: 0...12, using: &random))/"
            let name = [
                "index.html", "p\(Int.random(in: 0...80, using: &random)).html",
                "i\(Int.random(in: 0...80, using: &random)).png", "s.css",
            ].randomElement(using: &random)!
            keys.insert(folder + name)
        }
        let sorted = keys.sorted()
        let created = sorted.filter { _ in Int.random(in: 0...2, using: &random) == 0 }
        let deleted = Set(sorted.filter { !created.contains($0) && Int.random(in: 0...9, using: &random) == 0 })
        let budget = PathBudget(
            maximumPaths: Int.random(in: 1...60, using: &random),
            maximumWildcards: Int.random(in: 0...15, using: &random))
        let paths = { (key: String) in CloudFrontPath.paths(forKey: key, indexDocument: "index.html") }
        // A deleted page's cached copy may predate the rules: untagged here, so covering it by tag leaves it stale.
        let objects = sorted.flatMap { key in
            paths(key).map {
                EdgeCache.Object(path: $0, tags: key.hasSuffix(".html") && !deleted.contains(key) ? ["html"] : [])
            }
        }
        let changedAt = Date(timeIntervalSince1970: 1_800_000_000)
        let changes = (created + deleted.sorted()).flatMap(paths).map { EdgeCache.Change(path: $0, time: changedAt) }
        for (mode, tagging, withBudget) in [("tags", true, true), ("paths", false, true), ("exact", true, false)] {
            var settings = Self.tagSettings
            settings.budget = withBudget ? budget : nil
            let plan = Planner.plan(
                Self.event(created: created, deleted: deleted.sorted()), settings: settings,
                tagging: tagging ? ["E1"] : [], targets: { _ in [DistributionTarget(distributionId: "E1")] })
            var cache = EdgeCache(objects: objects)
            for (index, request) in plan.invalidations.enumerated() {
                cache.record(
                    invalidationId: "I\(index)", created: changedAt.addingTimeInterval(1), items: request.paths)
                #expect(cache.purged(by: request.tags).allSatisfy { $0.hasSuffix(".html") || $0.hasSuffix("/") })
                #expect(request.paths.allSatisfy { !$0.contains("\t") })
                #expect(tagging && withBudget || request.tags.isEmpty, "\(mode): a tag")
            }
            let figures = cache.figures(changes: changes)
            #expect(figures.stale.isEmpty, "seed \(seed), \(mode): stale \(figures.stale.prefix(5))")
            if mode == "exact" { #expect(figures.overInvalidated.isEmpty) }
        }
    }

    @Test(
        "a coalesced window: the batch's exact plan records each path with its tags; the flush covers by tag only when the distribution is confirmed, and never sends a record line"
    )
    func coalescedWindow() {
        var exact = Self.tagSettings
        exact.budget = nil
        let pages = Array(StandardDeploy.pages.prefix(600))
        let assets = Array(StandardDeploy.assets.prefix(5))
        let batch = Planner.plan(
            Self.event(created: pages + assets, deleted: ["f3/gone.html"]), settings: exact, tagging: [],
            targets: { _ in [DistributionTarget(distributionId: "E1")] })
        let lines = batch.invalidations.flatMap { $0.recordLines ?? [] }
        #expect(lines.contains("/f3/gone.html"), "a deleted page is recorded pinned")
        #expect(lines.contains("/s1/f1/\t#html"), "the folder URL of an index page carries its tag")
        let tagged = Planner.requests(
            window: 7, paths: lines, target: "E1", identity: ["k"], changes: 606, settings: Self.tagSettings,
            tagging: true)
        #expect(tagged.flatMap(\.paths) == ["#html"] + (assets.map { "/" + $0 } + ["/f3/gone.html"]).sorted())
        let untagged = Planner.requests(
            window: 7, paths: lines, target: "E1", identity: ["k"], changes: 606, settings: Self.tagSettings)
        #expect(!untagged.flatMap(\.paths).contains { $0.contains("\t") || CacheTag.isItem($0) })
        #expect(
            untagged.flatMap(\.paths)
                == PathCollapser.collapse(TagCover.needs(lines: lines).map(\.path), budget: PathBudget()))
    }
}

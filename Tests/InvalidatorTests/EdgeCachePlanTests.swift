import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import LocalAWS
import Testing

/// Every planning mode on the same random site, measured on the edge-cache model: exact paths, the budget's
/// wildcards, `/*`, and a cache tag for the pages beside the other changes' paths. Stale must be 0 for each; what
/// each purges needlessly differs, and is pinned where it is known (none for exact paths, no image for the tag).
@Suite("Planning modes on the edge-cache model")
struct EdgeCachePlanTests {
    /// A site of pages (tagged `html`; an `index.html` also cached as its directory URL), images and stylesheets,
    /// keys with characters that need encoding; and a random subset of its keys changed.
    static func site(seed: Int) -> (objects: [EdgeCache.Object], keys: [String], changed: [String]) {
        var random = SeededRandom(seed: UInt64(seed) &* 6007 &+ 11)
        var keys: Set<String> = []
        for _ in 0..<Int.random(in: 5...300, using: &random) {
            let depth = Int.random(in: 0...3, using: &random)
            let folders = (0..<depth).map { _ in "d\(Int.random(in: 0...4, using: &random))" }
            let name = [
                "index.html", "page \(Int.random(in: 0...9, using: &random)).html",
                "img\(Int.random(in: 0...20, using: &random)).png", "sité.css",
            ].randomElement(using: &random)!
            keys.insert((folders + [name]).joined(separator: "/"))
        }
        var objects: [EdgeCache.Object] = []
        var seen: Set<String> = []
        for key in keys.sorted() {
            let tags = key.hasSuffix(".html") ? ["html"] : ["assets"]
            for path in CloudFrontPath.paths(forKey: key, indexDocument: "index.html") where seen.insert(path).inserted
            {
                objects.append(EdgeCache.Object(path: path, tags: tags))
            }
        }
        let changed = keys.sorted().filter { _ in Int.random(in: 0...2, using: &random) == 0 }
        return (objects, keys.sorted(), changed)
    }

    @Test(
        "property: no mode leaves a changed object stale; exact purges nothing else, the tag no image",
        arguments: 0..<60)
    func modes(seed: Int) {
        let (objects, _, changedKeys) = Self.site(seed: seed)
        guard !changedKeys.isEmpty else { return }
        let changedPaths = changedKeys.flatMap { CloudFrontPath.paths(forKey: $0, indexDocument: "index.html") }
        let changedAt = Date(timeIntervalSince1970: 1_800_000_000)
        let changes = changedPaths.map { EdgeCache.Change(path: $0, time: changedAt) }
        var random = SeededRandom(seed: UInt64(seed) &+ 99)
        let budget = PathBudget(
            maximumPaths: Int.random(in: 1...40, using: &random),
            maximumWildcards: Int.random(in: 0...15, using: &random))
        let notPages = changedKeys.filter { !$0.hasSuffix(".html") }
            .flatMap { CloudFrontPath.paths(forKey: $0, indexDocument: "index.html") }
        let modes: [(name: String, items: [String], budget: PathBudget?)] = [
            ("exact", changedPaths, nil), ("budget \(budget)", changedPaths, budget), ("/*", ["/*"], nil),
            ("tag", ["#HTML"] + notPages, nil),
        ]
        var cache = EdgeCache(objects: objects)
        for mode in modes {
            cache.clearPurges()
            let planned = Planner.requests(
                userPaths: mode.items, targets: ["E1"], run: "seed \(seed)",
                settings: PlannerSettings(budget: mode.budget))
            for (index, request) in planned.enumerated() {
                cache.record(
                    invalidationId: "I\(index)", created: changedAt.addingTimeInterval(1), items: request.paths)
            }
            let figures = cache.figures(changes: changes)
            #expect(figures.stale.isEmpty, "\(mode.name): stale \(figures.stale.prefix(5))")
            #expect(figures.billableItems == planned.reduce(0) { $0 + $1.billablePaths })
            switch mode.name {
            case "exact": #expect(figures.overInvalidated.isEmpty)
            case "tag":
                #expect(
                    figures.overInvalidated.allSatisfy { $0.hasSuffix(".html") || $0.hasSuffix("/") },
                    "the tag purges pages only: \(figures.overInvalidated.prefix(5))")
            case "/*": #expect(figures.overInvalidated.count == objects.count - Set(changedPaths).count)
            default: break
            }
        }
    }
}

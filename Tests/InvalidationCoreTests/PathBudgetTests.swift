import AWSTestSupport
import InvalidationCore
import JSONSupport
import Testing

func s3Event(_ keys: [String]) -> DecodedEvent {
    let records = keys.map { key in
        "{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"site\"},\"object\":{\"key\":"
            + JSON.quote(ObjectKey.notificationForm(key)) + ",\"sequencer\":\"01\"}}}"
    }
    return EventDecoder.decode(Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8))
}

@Suite("Path budget: exact when cheap, wildcards when it pays")
struct PathBudgetTests {
    @Test("a small change stays exact")
    func smallStaysExact() {
        let paths = (0..<100).map { "/a/b/file\($0).html" }
        #expect(PathCollapser.collapse(paths, budget: PathBudget()) == paths.sorted())
    }

    @Test("an 8,000-file deploy costs a handful of paths, each wildcard as deep as the budget allows")
    func bigDeploy() {
        var keys: [String] = []
        keys += (0..<3000).map { "assets/img/photo-\($0).jpg" }
        keys += (0..<2000).map { "assets/js/chunk-\($0).js" }
        keys += (0..<1000).map { "assets/css/style-\($0).css" }
        keys += (0..<2000).map { "docs/page-\($0 % 200)/section-\($0 / 200).html" }
        keys += ["index.html", "favicon.ico", "robots.txt", "about/index.html", "blog/2026/post.html"]
        keys += ["assets/fonts/a.woff2", "assets/fonts/b.woff2", "assets/fonts/c.woff2", "assets/fonts/d.woff2"]
        #expect(keys.count >= 8000)
        let plan = Planner.plan(s3Event(keys)) { _ in ["E1"] }
        let paths = plan.invalidations[0].paths
        #expect(plan.invalidations.count == 1)
        // The README's worked example.
        #expect(
            paths == [
                "/", "/about/*", "/assets/css/*", "/assets/fonts/*", "/assets/img/*", "/assets/js/*",
                "/blog/2026/post.html", "/docs/*", "/favicon.ico", "/index.html", "/robots.txt",
            ])
        #expect(plan.invalidations[0].billablePaths == paths.count)
        #expect(plan.invalidations[0].changes == keys.count)
    }

    @Test("a directory becomes a wildcard only when it replaces more than one path")
    func singlePathDirectories() {
        let paths = (0..<150).map { "/big/f\($0)" } + ["/lonely/one.html", "/x/y/z.html"]
        let result = PathCollapser.collapse(paths, budget: PathBudget(maximumPaths: 100, maximumWildcards: 10))
        #expect(result == ["/big/*", "/lonely/one.html", "/x/y/z.html"])
    }

    @Test("siblings merge into their parent only when there are more candidates than wildcards")
    func siblingsMerge() {
        let paths = (0..<12).flatMap { dir in (0..<20).map { "/a/d\(dir)/f\($0)" } } + (0..<20).map { "/b/f\($0)" }
        let tight = PathCollapser.collapse(paths, budget: PathBudget(maximumPaths: 100, maximumWildcards: 10))
        #expect(tight == ["/a/*", "/b/*"])
        let roomy = PathCollapser.collapse(paths, budget: PathBudget(maximumPaths: 100, maximumWildcards: 13))
        #expect(roomy.count == 13)
        #expect(roomy.contains("/a/d0/*") && roomy.contains("/b/*"))
    }

    @Test("/* only when no plan fits")
    func fallback() {
        let rootFiles = (0..<150).map { "/file\($0).html" }
        #expect(PathCollapser.collapse(rootFiles, budget: PathBudget()) == ["/*"])
        let manyTopDirectories = (0..<50).flatMap { dir in ["/d\(dir)/a", "/d\(dir)/b", "/d\(dir)/c"] }
        #expect(
            PathCollapser.collapse(manyTopDirectories, budget: PathBudget(maximumPaths: 100, maximumWildcards: 10)) == [
                "/*"
            ])
        #expect(
            PathCollapser.collapse(manyTopDirectories, budget: PathBudget(maximumPaths: 100, maximumWildcards: 0)) == [
                "/*"
            ])
    }

    @Test("wildcards and exact paths mixed when there are more top-level directories than wildcards")
    func mixedCover() {
        let budget = PathBudget(maximumPaths: 100, maximumWildcards: 10)
        // 110 files in 11 top-level folders: 10 wildcards and the eleventh folder's 10 files exact.
        let eleven = (0..<11).flatMap { dir in (0..<10).map { "/d\(dir)/f\($0).html" } }
        let plan = PathCollapser.collapse(eleven, budget: budget)
        #expect(plan != ["/*"])
        #expect(plan.filter { $0.hasSuffix("*") }.count == 10)
        #expect(plan.count == 20)
        // 10 folders of 10 files and 2 files in an eleventh: the small folder stays exact.
        let small = (0..<10).flatMap { dir in (0..<10).map { "/d\(dir)/f\($0).html" } } + ["/z/a.html", "/z/b.html"]
        #expect(
            PathCollapser.collapse(small, budget: budget)
                == (0..<10).map { "/d\($0)/*" } + ["/z/a.html", "/z/b.html"])
        // Covered folders still get wildcards as deep as the rest of the budget allows.
        let deep = small.map { $0.replacing("/f", with: "/sub/f") }
        #expect(PathCollapser.collapse(deep, budget: budget).contains("/d0/sub/*"))
    }

    /// Whether any plan of top-level directory wildcards and exact paths fits: every subset, by brute force.
    static func anyPlanFits(_ paths: [String], _ budget: PathBudget) -> Bool {
        // Per top-level directory (nil: the root), its paths and the wildcards among them.
        var groups: [String?: (paths: Int, wildcards: Int)] = [:]
        for path in paths {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            let top = parts.count > 2 ? String(parts[1]) : nil
            groups[top, default: (0, 0)].paths += 1
            groups[top, default: (0, 0)].wildcards += path.hasSuffix("*") ? 1 : 0
        }
        let root = groups.removeValue(forKey: nil) ?? (0, 0)
        let tops = Array(groups.values)
        for mask in 0..<(1 << tops.count) {
            var count = root.paths
            var wildcards = root.wildcards
            for (index, group) in tops.enumerated() {
                let covered = mask & (1 << index) != 0
                count += covered ? 1 : group.paths
                wildcards += covered ? 1 : group.wildcards
            }
            if count <= budget.maximumPaths && wildcards <= budget.maximumWildcards { return true }
        }
        return false
    }

    @Test(
        "property: /* exactly when no plan of wildcards and exact paths fits; otherwise a plan within the budget",
        arguments: 0..<300)
    func onlyWhenNothingFits(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) &* 104_729 &+ 3)
        let topCount = Int.random(in: 1...12, using: &random)
        var paths: Set<String> = []
        for _ in 0..<Int.random(in: 1...120, using: &random) {
            let depth = Int.random(in: 0...3, using: &random)
            var path = depth == 0 ? "/" : "/t\(Int.random(in: 0..<topCount, using: &random))/"
            for _ in 0..<max(0, depth - 1) { path += "s\(Int.random(in: 0...2, using: &random))/" }
            path +=
                "f\(Int.random(in: 0...30, using: &random))" + (Int.random(in: 0...9, using: &random) == 0 ? "*" : "")
            paths.insert(path)
        }
        let budget = PathBudget(
            maximumPaths: Int.random(in: 1...60, using: &random),
            maximumWildcards: Int.random(in: 0...15, using: &random))
        let input = paths.sorted()
        let plan = PathCollapser.collapse(input, budget: budget)
        let fits =
            input.count <= budget.maximumPaths && input.filter { $0.hasSuffix("*") }.count <= budget.maximumWildcards
        let possible = fits || (budget.maximumWildcards > 0 && Self.anyPlanFits(input, budget))
        #expect((plan == ["/*"]) == !possible, "\(input.count) paths, budget \(budget): \(plan)")
        guard plan != ["/*"] else { return }
        #expect(plan.count <= budget.maximumPaths)
        #expect(plan.filter { $0.hasSuffix("*") }.count <= budget.maximumWildcards)
        for path in input { #expect(plan.contains { PathCollapser.covers($0, path) }, "\(path) is not covered") }
        for planned in plan {
            #expect(input.contains { PathCollapser.covers(planned, $0) }, "\(planned) covers nothing")
        }
    }

    @Test(
        "properties: every change covered, CloudFront's rules and the budget kept, order never matters",
        arguments: 0..<24)
    func properties(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) &* 7919 &+ 17)
        let count = [1, 5, 99, 100, 101, 500, 2000, 20_000][seed % 8]
        let budget = PathBudget(
            maximumPaths: Int.random(in: 1...3000, using: &random),
            maximumWildcards: Int.random(in: 0...15, using: &random))
        let alphabet = Array("abc xyz-_.~%#?ü🎉+=*")
        var keys: Set<String> = []
        while keys.count < count {
            let depth = Int.random(in: 0...4, using: &random)
            var parts = (0..<depth).map { _ in "d\(Int.random(in: 0...6, using: &random))" }
            parts.append(
                String((0..<Int.random(in: 1...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            )
            keys.insert(parts.joined(separator: "/"))
        }
        let keyList = Array(keys)
        let settings = PlannerSettings(budget: budget)
        let plan = Planner.plan(s3Event(keyList), settings: settings) { _ in ["E1"] }
        guard keyList.contains(where: { !$0.contains("*") }) else {
            #expect(plan.invalidations.isEmpty, "keys holding * are refused")
            return
        }
        let invalidation = try #require(plan.invalidations.first)
        #expect(plan.invalidations.count == 1)
        let paths = invalidation.paths
        #expect(paths.count <= max(1, budget.maximumPaths))
        let exact = Set(
            keyList.filter { !$0.contains("*") }.flatMap {
                CloudFrontPath.paths(forKey: $0, indexDocument: "index.html")
            })
        if exact.count <= budget.maximumPaths {
            #expect(paths.allSatisfy { !$0.hasSuffix("*") }, "a small change stays exact: no key becomes a wildcard")
        }
        #expect(paths.filter { $0.hasSuffix("*") }.count <= max(1, budget.maximumWildcards) || paths == ["/*"])
        for path in paths {
            #expect(path.hasPrefix("/"))
            #expect(!path.dropLast().contains("*"))
            #expect(path.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "\(path) is not encoded")
        }
        for key in keyList where !key.contains("*") {
            for wanted in CloudFrontPath.paths(forKey: key, indexDocument: "index.html") {
                #expect(
                    paths.contains { PathCollapser.covers($0, wanted) || (wanted.hasSuffix("*") && $0 == "/*") },
                    "\(wanted) is not invalidated")
            }
        }
        var shuffled = keyList
        shuffled.shuffle(using: &random)
        let again = Planner.plan(s3Event(shuffled), settings: settings) { _ in ["E1"] }
        #expect(again.invalidations.map(\.paths) == plan.invalidations.map(\.paths))
        #expect(again.invalidations.map(\.callerReference) == plan.invalidations.map(\.callerReference))
    }
}

@Suite("URL forms and filters")
struct URLFormTests {
    @Test("options, each off unless set")
    func forms() {
        #expect(
            CloudFrontPath.paths(forKey: "docs/index.html", indexDocument: "index.html") == [
                "/docs/index.html", "/docs/",
            ])
        let all = URLForms(directoryWithoutSlash: true, prettyURLs: true, queryVariants: true)
        #expect(
            CloudFrontPath.paths(forKey: "docs/index.html", indexDocument: "index.html", forms: all)
                == ["/docs/index.html*", "/docs/index*", "/docs/", "/docs"])
        #expect(
            CloudFrontPath.paths(forKey: "index.html", indexDocument: "index.html", forms: all) == [
                "/index.html*", "/index*", "/",
            ])
        #expect(
            CloudFrontPath.paths(forKey: "post.html", indexDocument: nil, forms: URLForms(prettyURLs: true))
                == ["/post.html", "/post"])
        #expect(
            CloudFrontPath.paths(forKey: "a.css", indexDocument: nil, forms: URLForms(prettyURLs: true)) == ["/a.css"])
    }

    @Test("query-string variants are wildcards: many of them collapse into directories")
    func queryVariantsCount() {
        let keys = (0..<30).map { "pages/p\($0).html" }
        let settings = PlannerSettings(forms: URLForms(queryVariants: true))
        let plan = Planner.plan(s3Event(keys), settings: settings) { _ in ["E1"] }
        #expect(plan.invalidations[0].paths == ["/pages/*"])
    }

    @Test(
        "INCLUDE / EXCLUDE globs",
        arguments: [
            ("*.map", "app.js.map", false), ("*.map", "js/app.js.map", false), ("uploads/*", "uploads/a/b.png", false),
            ("uploads/*", "site/uploads/x", true), ("a?c", "abc", false), ("a?c", "abbc", true),
        ])
    func excludes(pattern: String, key: String, kept: Bool) {
        #expect(KeyFilter(exclude: [pattern]).keeps(key) == kept)
    }

    @Test("filters apply before planning, and the plan says how many changes they left out")
    func filtered() {
        var settings = PlannerSettings()
        settings.filter = KeyFilter(include: ["site/*"], exclude: KeyFilter.patterns(" *.map , site/drafts/* "))
        let plan = Planner.plan(
            s3Event(["site/a.html", "site/a.js.map", "site/drafts/x.html", "other/b.html"]),
            settings: settings
        ) { _ in ["E1"] }
        #expect(plan.invalidations[0].paths == ["/site/a.html"])
        #expect(plan.excludedChanges == 3)
    }
}

import InvalidationCore
import Testing

@Suite("TAG_RULES and the tag cover")
struct TagRulesTests {
    @Test("glob=tag entries: every matching rule's tag, in order, without case-insensitive repeats")
    func parse() throws {
        let rules = try TagRules(parsing: " *.html=html , docs/*=docs,docs/*.HTML=HTML,a=b=c")
        #expect(rules.rules.map(\.pattern) == ["*.html", "docs/*", "docs/*.HTML", "a"])
        #expect(rules.items(forKey: "docs/index.html") == ["#html", "#docs"])
        #expect(rules.items(forKey: "docs/x.HTML") == ["#docs", "#HTML"])
        #expect(rules.items(forKey: "img/a.png") == [])
        #expect(rules.items(forKey: "a") == ["#b=c"], "an entry splits at its first =")
        #expect(try TagRules(parsing: " , ").isEmpty)
    }

    @Test(
        "a bad entry is refused, naming it",
        arguments: [
            ("*.html", #"entry "*.html" is not glob=tag"#), ("=html", #"entry "=html" has no glob"#),
            ("*.html=", #"entry "*.html=": cache tag "" is empty"#),
            ("*.html=a b", #"entry "*.html=a b": cache tag "a b" holds a space"#),
            ("*.css=css*", "holds *"),
        ])
    func refused(text: String, message: String) {
        #expect {
            try TagRules(parsing: text)
        } throws: { error in
            (error as? InputError)?.message.contains(message) == true
        }
    }

    static func needs(pages: Int, folders: Int, others: [String], deletedPages: Int = 0) -> [TagCover.Need] {
        var needs = (0..<pages).map { index in
            TagCover.Need(
                path: "/f\(index % folders)/page-\(index).html", carriers: [index < deletedPages ? [] : ["#html"]])
        }
        needs += others.map { TagCover.Need(path: $0, carriers: [[]]) }
        return needs.sorted { $0.path < $1.path }
    }

    @Test("within MAX_PATHS the paths stay exact, tags or not")
    func underBudget() {
        let needs = Self.needs(pages: 100, folders: 10, others: [])
        #expect(TagCover.plan(needs, budget: PathBudget()) == needs.map(\.path))
    }

    @Test("above MAX_PATHS a tag replaces the wildcards of the pages; the untagged changes stay exact paths")
    func tagBeatsWildcards() {
        let others = (0..<20).map { "/assets/s\($0).css" }
        let plan = TagCover.plan(Self.needs(pages: 3000, folders: 200, others: others), budget: PathBudget())
        #expect(plan == ["#html"] + others.sorted())
    }

    @Test("a deleted page is covered by its path, never by the tag")
    func deletedPinned() {
        let needs = Self.needs(pages: 500, folders: 50, others: [], deletedPages: 3)
        let plan = TagCover.plan(needs, budget: PathBudget())
        #expect(plan.first == "#html")
        #expect(Set(plan.dropFirst()) == Set(needs.prefix(500).filter { $0.carriers == [[]] }.map(\.path)))
        #expect(plan.count == 4)
    }

    @Test("a tag that saves no wildcard and no item is not used (a path purges nothing unchanged)")
    func uselessTagDropped() {
        // 150 untagged changes in 3 folders, one tagged change in a fourth: the tag would save nothing.
        var needs = (0..<150).map { TagCover.Need(path: "/u\($0 % 3)/x\($0).css", carriers: [[]]) }
        needs.append(TagCover.Need(path: "/t/page.html", carriers: [["#html"]]))
        needs.sort { $0.path < $1.path }
        let plan = TagCover.plan(needs, budget: PathBudget())
        #expect(!plan.contains("#html"), "\(plan)")
        #expect(plan == PathCollapser.collapse(needs.map(\.path), budget: PathBudget()))
    }

    @Test("record lines round-trip: pinned paths plain, tagged ones with their tags; a path needed twice merges")
    func lines() {
        let needs = [
            TagCover.Need(path: "/a.html", carriers: [["#html", "#docs"]]),
            TagCover.Need(path: "/b.css", carriers: [[]]),
            TagCover.Need(path: "/c.html", carriers: [["#html"], []]),
        ]
        let lines = TagCover.lines(needs)
        #expect(lines == ["/a.html\t#html,#docs", "/b.css", "/c.html"])
        #expect(TagCover.needs(lines: lines + ["/a.html\t#html"]).map(\.path) == ["/a.html", "/b.css", "/c.html"])
        #expect(TagCover.needs(lines: lines).first?.carriers == [["#html", "#docs"]])
        #expect(TagCover.needs(lines: ["/c.html\t#html", "/c.html"]).first?.carriers == [["#html"], []])
    }
}

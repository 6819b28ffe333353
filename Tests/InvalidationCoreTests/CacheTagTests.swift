import InvalidationCore
import JSONSupport
import Testing

/// Cache tags beside paths: validation as CloudFront documents it, case-insensitive de-duplication, and planning
/// that never collapses a tag and counts it as a billable file path.
@Suite("Cache tags")
struct CacheTagTests {
    @Test(
        "a tag becomes its # item, with or without the #, spelling kept",
        arguments: [
            ("html", "#html"), ("#html", "#html"), ("Product:Electronics", "#Product:Electronics"),
            ("##odd", "##odd"), ("!~", "#!~"),
            (String(repeating: "a", count: 256), "#" + String(repeating: "a", count: 256)),
        ])
    func accepts(text: String, item: String) throws {
        #expect(try CacheTag.item(text) == item)
    }

    @Test(
        "a bad tag is refused, naming the tag and why",
        arguments: [
            ("", "is empty"), ("#", "is empty"), ("a b", "a space"), ("a,b", "comma"), ("pages*", "never wildcards"),
            ("*", "never wildcards"), ("café", "non-ASCII"), ("tab\there", "0x9"), ("del\u{7F}", "0x7F"),
            (String(repeating: "a", count: 257), "at most 256"),
        ])
    func refuses(text: String, reason: String) {
        #expect {
            try CacheTag.item(text)
        } throws: { error in
            let message = (error as? InputError)?.message ?? ""
            return message.contains(reason) && message.hasPrefix("cache tag " + JSON.quote(String(text.prefix(80))))
        }
    }

    @Test("duplicates are removed case-insensitively, keeping the first spelling in order")
    func unique() {
        #expect(CacheTag.unique(["#HTML", "#docs", "#html", "#Docs", "#img"]) == ["#HTML", "#docs", "#img"])
        #expect(CacheTag.unique(["#a", "#b"]) == ["#a", "#b"])
    }

    @Test("user entries: --tag entries and # path entries are tags; a # key stays a key")
    func userEntries() throws {
        let (items, skipped) = try Planner.userPaths(
            [
                .tag("html"), ChangeEntry(text: "#Docs", isKey: false), ChangeEntry(text: "#notes.txt", isKey: true),
                ChangeEntry(text: "/a b.html", isKey: false),
            ], keyPrefix: "", settings: PlannerSettings())
        #expect(items == ["#html", "#Docs", "/%23notes.txt", "/a%20b.html"])
        #expect(skipped.isEmpty)
        #expect(throws: InputError.self) {
            try Planner.userPaths([.tag("a,b")], keyPrefix: "", settings: PlannerSettings())
        }
    }

    @Test("tags are never collapsed by the budget, are de-duplicated and sort first; paths still collapse")
    func neverCollapsed() {
        let paths = (0..<300).map { "/docs/section-\($0 % 7)/page-\($0).html" }
        let tags = (0..<20).map { "#tag-\($0)" } + ["#TAG-3", "#tag-0"]
        let planned = Planner.requests(
            userPaths: paths + tags, targets: ["E1"], run: "r",
            settings: PlannerSettings(budget: PathBudget(maximumPaths: 10, maximumWildcards: 10)))
        #expect(planned.count == 1)
        let request = planned[0]
        #expect(request.tags == (0..<20).map { "#tag-\($0)" }.sorted())
        #expect(Array(request.paths.prefix(20)) == request.tags, "tags first")
        #expect(request.paths.dropFirst(20).allSatisfy { $0.hasSuffix("*") }, "\(request.paths)")
        #expect(request.billablePaths == 20 + 7, "each tag is billable")
    }

    @Test("tags count as file paths against the per-request split; a tag is never a wildcard")
    func splitCountsTags() {
        let items = ["#a", "#b", "#c", "/f1", "/w1*", "/w2*"]
        let planned = Planner.requests(
            userPaths: items, targets: ["E1"], run: "r",
            settings: PlannerSettings(maximumPathsPerRequest: 2, maximumWildcardsPerRequest: 15, budget: nil))
        #expect(planned.map(\.paths) == [["#a", "#b"], ["#c", "/f1", "/w1*", "/w2*"]])
        #expect(planned.map(\.billablePaths) == [2, 4])
        #expect(Set(planned.map(\.callerReference)).count == 2)
    }

    @Test("a tag changes the caller reference; the spelling given is sent")
    func callerReference() {
        let withTag = Planner.requests(userPaths: ["/a", "#x"], targets: ["E1"], run: "r")
        let without = Planner.requests(userPaths: ["/a"], targets: ["E1"], run: "r")
        let otherCase = Planner.requests(userPaths: ["/a", "#X"], targets: ["E1"], run: "r")
        #expect(withTag[0].callerReference != without[0].callerReference)
        #expect(otherCase[0].paths == ["#X", "/a"], "the spelling given is sent")
    }

    @Test("a pipeline job's tags come beside its paths, first and de-duplicated")
    func pipelineJob() throws {
        let job = try #require(PipelineJob(event: try JSON.parse(try Fixture.bytes("aws/codepipeline.json"))))
        let planned = Planner.requests(
            forJob: job, targets: ["E1"], paths: ["/b", "/a", "/b"], tags: ["#html", "#HTML", "#docs"])
        #expect(planned.map(\.paths) == [["#docs", "#html", "/a", "/b"]])
        #expect(planned[0].billablePaths == 4)
    }

    @Test("a key starting with # in an event is a path (/%23…), never a tag item: tags come only from a person")
    func keysNeverTags() {
        let body =
            #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"site"},"#
            + #""object":{"key":"%23html","sequencer":"01"}}}]}"#
        let plan = Planner.plan(EventDecoder.decode(Array(body.utf8))) { _ in ["E1"] }
        #expect(plan.invalidations.map(\.paths) == [["/%23html"]])
        #expect(plan.invalidations.allSatisfy { $0.tags.isEmpty })
    }
}

import AWSClient
import Formats
import Foundation
import JSONSupport
import LocalAWS
import Testing

@testable import InvalidationCost

@Suite("invalidator cost: the cache of completed invalidations")
struct CostCacheTests {
    @Test("a second run reads only what is new; in-progress invalidations are read again")
    func secondRun() async throws {
        let bed = try await CostBed()
        try await CostReaderTests.seeded(bed)
        let directory = try CostBed.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = CostCache(directory: directory)
        var notes: [String] = []
        let first = try await bed.reader(cache: cache).read(
            distributionId: "E1COST", month: CostBed.november, notes: &notes)
        #expect(first.read == 5 && first.fromCache == 0)

        bed.resetCalls()
        let second = try await bed.reader(cache: cache).read(
            distributionId: "E1COST", month: CostBed.november, notes: &notes)
        #expect(bed.calls("GetInvalidation") == 0)
        #expect(second.fromCache == 5)
        #expect(second.paths == first.paths && second.wildcards == first.wildcards && second.tags == first.tags)

        // Two more: one completes at once, one an hour after it was created.
        try await bed.create("E1COST", ["/new.html"])
        await bed.cloudFront.completeInvalidations(after: .seconds(3600))
        try await bed.create("E1COST", ["/slow/*", "#slow"])
        bed.resetCalls()
        let third = try await bed.reader(cache: cache).read(
            distributionId: "E1COST", month: CostBed.november, notes: &notes)
        #expect(bed.calls("GetInvalidation") == 2)
        #expect(third.read == 2 && third.fromCache == 5 && third.inProgress == 1)
        #expect(third.paths == first.paths + 3)

        bed.resetCalls()
        let fourth = try await bed.reader(cache: cache).read(
            distributionId: "E1COST", month: CostBed.november, notes: &notes)
        #expect(bed.calls("GetInvalidation") == 1, "only the one still in progress")
        #expect(fourth.paths == third.paths)
        #expect(notes.isEmpty, "\(notes)")
    }

    @Test(
        "a corrupt cache file is ignored with a note, and rewritten",
        arguments: [
            "not json", "{\"version\":2}",
            "{\"version\":1,\"distributionId\":\"E9OTHER\",\"month\":\"2026-11\",\"invalidations\":[]}",
            "{\"version\":1,\"distributionId\":\"E1COST\",\"month\":\"2026-11\",\"invalidations\":[{\"id\":\"X\"}]}",
            "{\"version\":1,\"distributionId\":\"E1COST\",\"month\":\"2026-11\",\"invalidations\":[{\"id\":\"X\","
                + "\"createTime\":\"t\",\"paths\":-4,\"wildcards\":0,\"tags\":0}]}",
        ])
    func corrupt(content: String) async throws {
        let bed = try await CostBed()
        try await CostReaderTests.seeded(bed)
        let directory = try CostBed.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = CostCache(directory: directory)
        let file = cache.path(
            distributionId: "E1COST", month: CostBed.november, endpoint: bed.client.client.endpoint.origin)
        try Data(content.utf8).write(to: URL(fileURLWithPath: file))
        var notes: [String] = []
        let cost = try await bed.reader(cache: cache).read(
            distributionId: "E1COST", month: CostBed.november, notes: &notes)
        #expect(cost.read == 5 && cost.paths == 10)
        #expect(notes.count == 1 && notes[0].contains("ignoring the cache file"), "\(notes)")
        // Rewritten: the next run reads nothing and notes nothing.
        bed.resetCalls()
        var later: [String] = []
        _ = try await bed.reader(cache: cache).read(distributionId: "E1COST", month: CostBed.november, notes: &later)
        #expect(bed.calls("GetInvalidation") == 0)
        #expect(later.isEmpty)
    }

    @Test("files are per distribution, month and endpoint; only counts are kept, never paths")
    func layout() throws {
        let cache = CostCache(directory: "/c")
        let a = cache.path(distributionId: "E1", month: CostBed.november, endpoint: "https://cloudfront.amazonaws.com")
        let b = cache.path(distributionId: "E1", month: CostBed.november, endpoint: "http://127.0.0.1:5000")
        let c = cache.path(distributionId: "E1", month: CostBed.october, endpoint: "https://cloudfront.amazonaws.com")
        #expect(Set([a, b, c]).count == 3)
        #expect(a.hasPrefix("/c/2026-11-E1-"))
        #expect(
            cache.path(distributionId: "../../E1", month: CostBed.november, endpoint: "x").hasPrefix("/c/2026-11-E1-"))
        let text = CostCache.encode(
            [InvalidationCount(id: "I1", createTime: "2026-11-02T00:00:00.000Z", items: ["/secret/plan.html", "#t"])],
            distributionId: "E1", month: CostBed.november)
        #expect(!text.contains("secret"))
        let decoded = try CostCache.decode(Array(text.utf8), distributionId: "E1", month: CostBed.november).get()
        #expect(
            decoded["I1"]
                == InvalidationCount(id: "I1", createTime: "2026-11-02T00:00:00.000Z", paths: 2, wildcards: 0, tags: 1))
    }

    @Test("the cache directory: XDG_CACHE_HOME when absolute, else ~/.cache when the home exists, else none")
    func directory() {
        let exists: (String) -> Bool = { $0 == "/h" }
        #expect(
            CostCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"], exists: exists)
                == "/x/invalidator/cost")
        #expect(
            CostCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "rel", "HOME": "/h"], exists: exists)
                == "/h/.cache/invalidator/cost")
        #expect(CostCache.defaultDirectory(environment: ["HOME": "/nonexistent"], exists: exists) == nil)
        #expect(CostCache.defaultDirectory(environment: [:], exists: exists) == nil)
    }

    @Test("an unwritable cache directory is a note; the report stands")
    func unwritable() async throws {
        let bed = try await CostBed()
        try await CostReaderTests.seeded(bed)
        let directory = try CostBed.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let blocker = directory + "/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        var notes: [String] = []
        let cost = try await bed.reader(cache: CostCache(directory: blocker + "/cost")).read(
            distributionId: "E1COST", month: CostBed.november, notes: &notes)
        #expect(cost.paths == 10)
        #expect(notes.count == 1 && notes[0].contains("could not write the cache file"), "\(notes)")
    }
}

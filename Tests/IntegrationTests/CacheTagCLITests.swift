import Foundation
import JSONSupport
import LocalAWS
import Testing

/// Cache tags on the command line: `--tag`, `#tag` arguments and lines, their validation (exit 64 naming the tag),
/// their place in `--dry-run` and the billable counts, and `status --items` telling tags from paths.
@Suite("invalidator invalidate and status: cache tags")
struct CacheTagCLITests {
    @Test("--tag and #tag arguments are sent beside the paths, de-duplicated case-insensitively, each billable")
    func tags() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI", origins: [], cacheTagHeader: "x-amz-meta-cache-tag")
        let result = try await CLI.run(
            [
                "invalidate", "--distribution-id", "E1CLI", "--tag", "html", "--tag", "#HTML", "#Docs", "/a b.html",
                "--json",
            ], environment: InvalidateCLITests.environment(cloudFront))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(await cloudFront.invalidations.map(\.paths) == [["#Docs", "#html", "/a%20b.html"]])
        let report = try JSON.parse(result.stdout)
        #expect(report["invalidations"]?.array?.first?["billablePaths"] == .number("3"))
        await cloudFront.shutdown()
    }

    @Test(
        "a bad tag exits 64 with one line naming it, and nothing is sent",
        arguments: [
            (["--tag", "a,b"], #"cache tag "a,b" holds a comma"#),
            (["--tag", "pages*"], #"cache tag "pages*" holds *"#),
            (["#a b"], ##"cache tag "#a b" holds a space"##), (["--tag", ""], "is empty"),
        ])
    func badTag(arguments: [String], message: String) async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        let result = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "/index.html"] + arguments,
            environment: InvalidateCLITests.environment(cloudFront))
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("invalidator: ") && result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("--keys"), "a tag is not a key")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(await cloudFront.requestCount == 0)
        await cloudFront.shutdown()
    }

    @Test("--dry-run counts tags apart and as billable; a # line of the input is a tag, unless read as a key")
    func dryRun() async throws {
        let cloudFront = try await FakeCloudFront.start()
        let paths = (0..<300).map { "/docs/section-\($0 % 7)/page-\($0).html" }
        let result = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "--dry-run", "--max-paths", "50", "--changed-from", "-"],
            environment: InvalidateCLITests.environment(cloudFront),
            stdin: (paths + ["#html", "#docs", "#HTML"]).joined(separator: "\n"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("distribution E1CLI: 7 paths and 2 tags (9 billable)"), "\(result.stdout)")
        #expect(result.stdout.contains("\n  #docs\n  #html\n  /docs/section-0/*\n"), "\(result.stdout)")
        let keys = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "--dry-run", "--json", "--keys", "--changed-from", "-"],
            environment: InvalidateCLITests.environment(cloudFront), stdin: "#notes.txt\n")
        let planned = try JSON.parse(keys.stdout)["invalidations"]?.array?.first
        #expect(planned?["paths"] == .array([.string("/%23notes.txt")]), "\(keys.stdout)")
        #expect(planned?["tags"] == .array([]))
        #expect(await cloudFront.requestCount == 0)
        await cloudFront.shutdown()
    }

    @Test("status --items lists each invalidation's paths and tags, told apart, as text and JSON")
    func status() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI", origins: [], cacheTagHeader: "x-amz-meta-cache-tag")
        let created = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "--tag", "html", "/index.html"],
            environment: InvalidateCLITests.environment(cloudFront))
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains(": 1 path and 1 tag (2 billable)"), "\(created.stdout)")
        let table = try await CLI.run(
            ["status", "--distribution-id", "E1CLI", "--items"], environment: InvalidateCLITests.environment(cloudFront)
        )
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasSuffix("\n  tag   #html\n  path  /index.html\n"), "\(table.stdout)")
        let json = try JSON.parse(
            try await CLI.run(
                ["status", "--distribution-id", "E1CLI", "--items", "--json"],
                environment: InvalidateCLITests.environment(cloudFront)
            ).stdout)
        let item = json["invalidations"]?.array?.first
        #expect(item?["tags"] == .array([.string("#html")]))
        #expect(item?["paths"] == .array([.string("/index.html")]))
        let plain = try await CLI.run(
            ["status", "--distribution-id", "E1CLI"], environment: InvalidateCLITests.environment(cloudFront))
        #expect(!plain.stdout.contains("#html"), "items only when asked (one GetInvalidation each)")
        await cloudFront.shutdown()
    }

    @Test(
        "--tag to a distribution whose CacheTagConfig does not name CACHE_TAG_HEADER exits 1 naming it and the fix, sending nothing; --force-tags sends",
        arguments: [nil, "Surrogate-Key"] as [String?])
    func refusedWithoutCacheTagConfig(header: String?) async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI", origins: [], cacheTagHeader: "x-amz-meta-cache-tag")
        await cloudFront.addDistribution("E2NOTAGS", origins: [], cacheTagHeader: header)
        let arguments = ["invalidate", "--distribution-id", "E1CLI,E2NOTAGS", "--tag", "html", "/index.html"]
        let refused = try await CLI.run(arguments, environment: InvalidateCLITests.environment(cloudFront))
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(
            refused.stderr.hasPrefix("invalidator: distribution E2NOTAGS: cache tags #html would invalidate nothing"))
        #expect(refused.stderr.contains(header == nil ? "no CacheTagConfig" : "header Surrogate-Key"))
        #expect(refused.stderr.contains("--force-tags"), "\(refused.stderr)")
        #expect(await cloudFront.invalidations.isEmpty, "nothing sent, not even to the confirmed distribution")
        let paths = try await CLI.run(
            ["invalidate", "--distribution-id", "E2NOTAGS", "/index.html"],
            environment: InvalidateCLITests.environment(cloudFront))
        #expect(paths.status == 0, "paths alone need no check: \(paths.stderr)")
        let forced = try await CLI.run(
            arguments + ["--force-tags"], environment: InvalidateCLITests.environment(cloudFront))
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(await cloudFront.invalidations.map(\.paths).filter { $0.contains("#html") }.count == 2)
        await cloudFront.shutdown()
    }
}

import AWSClient
import Foundation
import JSONSupport
import LocalAWS
import Synchronization
import Testing

/// `invalidator cost`: the real binary against the strict fake CloudFront (paging, the cache, the JSON shape) and
/// against moto (the plain wire format), output not a terminal.
@Suite("invalidator cost")
struct CostCLITests {
    /// This month, as the command defaults to it (UTC).
    static var thisMonth: String {
        let text = ISO8601DateFormatter().string(from: Date())
        return String(text.prefix(7))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "cost-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Creates invalidations on the fake through the project's client.
    static func create(_ cloudFront: FakeCloudFront, _ distribution: String, _ batches: [[String]]) async throws {
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(environment: InvalidateCLITests.environment(cloudFront)),
            transport: HTTP1Transport())
        for paths in batches {
            _ = try await client.createInvalidation(
                distributionId: distribution, callerReference: UUID().uuidString, paths: paths)
        }
    }

    @Test("--json: the month's paths per distribution and in all; a second run reads only what is new")
    func json() async throws {
        let cloudFront = try await FakeCloudFront.start()
        defer { Task { await cloudFront.shutdown() } }
        await cloudFront.addDistribution("E1COST", origins: [])
        await cloudFront.addDistribution("E2COST", origins: [])
        try await Self.create(cloudFront, "E1COST", [["/a.html", "/b.html"], ["/img/*"], ["#html", "/index.html"]])
        try await Self.create(cloudFront, "E2COST", [["/*"]])
        let gets = Mutex(0)
        await cloudFront.injectFaults { info in
            if info.operation == "GetInvalidation" { gets.withLock { $0 += 1 } }
            return nil
        }
        let cache = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = InvalidateCLITests.environment(cloudFront, ["XDG_CACHE_HOME": cache.path])
        let result = try await CLI.run(["cost", "--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        #expect(report["month"] == .string(Self.thisMonth))
        #expect(report["allDistributions"] == .bool(true))
        #expect(report["paths"] == .number("6"))
        #expect(report["billablePaths"] == .number("0"))
        #expect(report["amountUSD"] == .number("0.000"))
        let rows = try #require(report["distributions"]?.array)
        #expect(rows.map { $0["distributionId"] } == [.string("E1COST"), .string("E2COST")])
        #expect(rows.first?["paths"] == .number("5") && rows.first?["wildcards"] == .number("1"))
        #expect(rows.first?["tags"] == .number("1"))
        #expect(gets.withLock { $0 } == 4)

        try await Self.create(cloudFront, "E2COST", [["/new.html"]])
        let again = try await CLI.run(
            ["cost", "--json", "--distribution-id", "E1COST,E2COST", "--month", Self.thisMonth],
            environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(gets.withLock { $0 } == 5, "the second run reads only the new invalidation")
        let second = try JSON.parse(again.stdout)
        #expect(second["paths"] == .number("7"))
        #expect(second["allDistributions"] == .bool(false))
    }

    @Test("the text report; nothing but the report on a pipe")
    func text() async throws {
        let cloudFront = try await FakeCloudFront.start()
        defer { Task { await cloudFront.shutdown() } }
        await cloudFront.addDistribution("E1TEXT")
        try await Self.create(cloudFront, "E1TEXT", [["/a.html", "/docs/*"]])
        let result = try await CLI.run(
            ["cost", "--distribution-id", "E1TEXT"], environment: InvalidateCLITests.environment(cloudFront))
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("CloudFront invalidation paths in \(Self.thisMonth), to ") == true)
        #expect(lines.contains { $0.hasPrefix("E1TEXT") && $0.hasSuffix("1      2          1     0            0") })
        #expect(lines.contains("beyond the free paths: 0 × $0.005 = $0.000"))
        #expect(!result.stdout.contains("\u{1B}"), "no progress line off a terminal")
        // HOME=/nonexistent: no home directory, so nothing is cached (and no home directory is created).
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent"))
    }

    @Test(
        "usage errors and CloudFront's refusals",
        arguments: [
            (["cost", "--month", "2026-13"], 64, "--month must be a month as YYYY-MM"),
            (["cost", "--month", "november"], 64, "--month must be a month as YYYY-MM"),
            (["cost", "--distribution-id", "e1"], 64, "is not a CloudFront distribution id"),
            (["cost", "--requests-per-second", "0"], 64, "--requests-per-second must be from 0.1 to 100"),
            (["cost", "--distribution-id", "E404"], 1, "distribution E404"),
        ])
    func failures(arguments: [String], status: Int32, message: String) async throws {
        let cloudFront = try await FakeCloudFront.start()
        defer { Task { await cloudFront.shutdown() } }
        let result = try await CLI.run(arguments, environment: InvalidateCLITests.environment(cloudFront))
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("cli-secret"))
    }

    @Test("ListDistributions refused: named, exit 1")
    func listRefused() async throws {
        let cloudFront = try await FakeCloudFront.start()
        defer { Task { await cloudFront.shutdown() } }
        // Refused three times, though the command asks once (AccessDenied is not retried): once, under the whole
        // suite, the only refusal went to some other request and the command was answered. The likeliest sender is
        // another test's client retrying against the port this fake reused; it was not caught in the act.
        await cloudFront.script(FakeCloudFront.listFaultKey, faults: [.accessDenied, .accessDenied, .accessDenied])
        let result = try await CLI.run(["cost"], environment: InvalidateCLITests.environment(cloudFront))
        #expect(result.status == 1)
        #expect(result.stderr.contains("cloudfront:ListDistributions"), "\(result.stderr)")
    }

    @Test("against moto: invalidations made by invalidate are counted, and cached")
    func moto() async throws {
        guard Moto.isAvailable else { return }
        let distribution = try #require(
            try await Moto.fixture("create-distribution", "--bucket", Moto.unique("cost"))["id"]?.string)
        let cache = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = try Moto.functionEnvironment(["HOME": "/nonexistent", "XDG_CACHE_HOME": cache.path])
        for paths in [["/a.html", "/b.html"], ["/docs/*"]] {
            let made = try await CLI.run(
                ["invalidate", "--distribution-id", distribution] + paths, environment: environment)
            #expect(made.status == 0, "\(made.stderr)")
        }
        let made = try await CLI.run(
            ["invalidate", "--distribution-id", distribution, "--tag", "html", "--force-tags"], environment: environment
        )
        #expect(made.status == 0, "\(made.stderr)")
        let result = try await CLI.run(["cost", "--distribution-id", distribution, "--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        let row = try #require(report["distributions"]?.array?.first)
        // What moto holds: a CreateInvalidation retried after a timeout under load is a second invalidation there
        // (moto has no CallerReference idempotency), and billed as one by CloudFront's rule too.
        let held = try #require(
            try await Moto.fixture("invalidations", "--distribution-id", distribution)["invalidations"]?.array)
        let items = held.flatMap { $0["paths"]?.array?.compactMap(\.string) ?? [] }
        #expect(held.count >= 3 && Set(items) == ["/a.html", "/b.html", "/docs/*", "#html"], "\(held)")
        #expect(row["invalidations"] == .number(String(held.count)))
        #expect(row["paths"] == .number(String(items.count)))
        #expect(row["wildcards"] == .number(String(items.filter { $0.hasSuffix("*") }.count)))
        #expect(row["tags"] == .number(String(items.filter { $0.hasPrefix("#") }.count)))
        #expect(row["read"] == .number(String(held.count)))
        let again = try await CLI.run(["cost", "--distribution-id", distribution, "--json"], environment: environment)
        let cached = try #require(try JSON.parse(again.stdout)["distributions"]?.array?.first)
        #expect(
            cached["fromCache"] == .number(String(held.count)) && cached["read"] == .number("0"),
            "moto's COMPLETED is completed")
        #expect(cached["paths"] == .number(String(items.count)))
    }
}

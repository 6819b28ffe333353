import Foundation
import JSONSupport
import Testing

/// Runs the built `invalidator` executable.
enum CLI {
    static var path: String {
        ProcessInfo.processInfo.environment["INVALIDATOR_PATH"]
            ?? Moto.packageRoot.appending(path: ".build/debug/invalidator").path
    }

    static let fixtures = Moto.packageRoot.appending(path: "Tests/InvalidationCoreTests/Fixtures")

    static func run(
        _ arguments: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"], stdin: String? = nil
    ) async throws -> ChildProcess.Result {
        try await ChildProcess.run(path, arguments, environment: environment, stdin: stdin)
    }
}

@Suite("invalidator command line")
struct CLITests {
    @Test("plan --json prints exactly one JSON object: invalidations and skipped records")
    func planJSON() async throws {
        let event = CLI.fixtures.appending(path: "aws/sqs-mixed.json").path
        let result = try await CLI.run(["plan", "--event", event, "--distribution-id", "E1ABC,E2DEF", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stdout.hasPrefix(#"{"invalidations":[{"#))
        let plan = try JSON.parse(result.stdout)
        let invalidations = try #require(plan["invalidations"]?.array)
        #expect(invalidations.compactMap { $0["distributionId"]?.string } == ["E1ABC", "E2DEF"])
        #expect(
            invalidations.first?["paths"]
                == .array(["/a%20b.html", "/docs/", "/docs/index.html", "/x+y.html"].map(JSONValue.string)))
        #expect(invalidations.first?["callerReference"]?.string?.hasPrefix("cfinv-") == true)
        #expect(invalidations.first?["billablePaths"] == .number("4"))
        #expect(invalidations.first?["changes"] == .number("3"))
        #expect(plan["skipped"]?.array?.first?["record"]?.string == "message m-test")
    }

    @Test("plan --json handles CodePipeline jobs with the same shape")
    func planPipeline() async throws {
        let event = CLI.fixtures.appending(path: "aws/codepipeline.json").path
        let result = try await CLI.run(["plan", "--event", event, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let plan = try JSON.parse(result.stdout)
        let invalidation = try #require(plan["invalidations"]?.array?.first)
        #expect(invalidation["distributionId"]?.string == "EDFDVBD632BHDS5")
        #expect(invalidation["paths"] == .array(["/a%20b.html", "/assets/*", "/index.html"].map(JSONValue.string)))
        #expect(plan["skipped"] == .array([]))
        #expect(!result.stdout.contains("PIPELINE"), "artifact credentials never printed")

        let badEvent = FileManager.default.temporaryDirectory.appending(path: "bad-job-\(UUID().uuidString).json")
        let badJob =
            #"{"CodePipeline.job":{"id":"j-1","data":{"actionConfiguration":{"configuration":"#
            + #"{"UserParameters":"{\"paths\":[\"nope\"]}"}}}}}"#
        try Data(badJob.utf8).write(to: badEvent)
        defer { try? FileManager.default.removeItem(at: badEvent) }
        let bad = try JSON.parse(try await CLI.run(["plan", "--event", badEvent.path, "--json"]).stdout)
        #expect(bad["invalidations"] == .array([]))
        #expect(bad["skipped"]?.array?.first?["record"]?.string == "job j-1")
        #expect(bad["skipped"]?.array?.first?["reason"]?.string?.contains("must start with /") == true)
    }

    @Test("plan reads the distribution from CLOUDFRONT_DISTRIBUTION_ID and prints a table")
    func planText() async throws {
        let event = CLI.fixtures.appending(path: "aws/s3-put.json").path
        let result = try await CLI.run(
            ["plan", "--event", event], environment: ["CLOUDFRONT_DISTRIBUTION_ID": "EDFDVBD632BHDS5"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("distribution EDFDVBD632BHDS5: 2 paths"))
        #expect(result.stdout.contains("  /docs/old%20page+1.html"))
    }

    @Test(
        "usage errors exit 64 with a one-line reason",
        arguments: [
            ["plan"], ["plan", "--event", "/nonexistent/event.json"],
            ["plan", "--event", "x.json", "--distribution-id", "lowercase"], ["frobnicate"],
            ["invoke", "--event", "x.json", "--timeout", "0"],
        ])
    func usage(arguments: [String]) async throws {
        let result = try await CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("invalidator: "))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("a configuration that cannot work exits 1 naming the variable")
    func badConfiguration() async throws {
        let event = CLI.fixtures.appending(path: "aws/s3-put.json").path
        let result = try await CLI.run(["plan", "--event", event], environment: ["CLOUDFRONT_DISTRIBUTION_ID": "nope"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("CLOUDFRONT_DISTRIBUTION_ID"))
    }

    @Test("--help exits 0")
    func help() async throws {
        let result = try await CLI.run(["plan", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--distribution-id"))
    }
}

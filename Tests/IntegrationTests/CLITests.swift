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

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }
}

@Suite("invalidator command line")
struct CLITests {
    @Test("plan --json prints exactly one JSON object: invalidations and skipped records")
    func planJSON() throws {
        let event = CLI.fixtures.appending(path: "aws/sqs-mixed.json").path
        let result = try CLI.run(["plan", "--event", event, "--distribution-id", "E1ABC,E2DEF", "--json"])
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
        #expect(plan["skipped"]?.array?.first?["record"]?.string == "message m-test")
    }

    @Test("plan reads the distribution from CLOUDFRONT_DISTRIBUTION_ID and prints a table")
    func planText() throws {
        let event = CLI.fixtures.appending(path: "aws/s3-put.json").path
        let result = try CLI.run(
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
    func usage(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("invalidator: "))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("a configuration that cannot work exits 1 naming the variable")
    func badConfiguration() throws {
        let event = CLI.fixtures.appending(path: "aws/s3-put.json").path
        let result = try CLI.run(["plan", "--event", event], environment: ["CLOUDFRONT_DISTRIBUTION_ID": "nope"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("CLOUDFRONT_DISTRIBUTION_ID"))
    }

    @Test("--help exits 0")
    func help() throws {
        let result = try CLI.run(["plan", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--distribution-id"))
    }
}

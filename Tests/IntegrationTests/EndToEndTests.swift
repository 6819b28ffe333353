import Foundation
import JSONSupport
import LambdaEmulator
import Testing

@Suite("End to end: moto's real deliveries through the real bootstrap", .enabled(if: Moto.isAvailable))
struct EndToEndTests {
    static let keys = [
        "index.html", "docs/index.html", "dir a/file b+c (1)ü=x.html", "emoji 🎉.txt", "tilde~hash#q?.css",
    ]
    static let expectedPaths: Set<String> = [
        "/index.html", "/", "/docs/index.html", "/docs/", "/dir%20a/file%20b+c%20(1)%C3%BC=x.html",
        "/emoji%20%F0%9F%8E%89.txt", "/tilde%7Ehash%23q%3F.css", "/old%20page.html",
    ]

    /// Wires a bucket, uploads and deletes, and returns the SQS batch Lambda would receive.
    func batch(route: String, bucket: String) async throws -> (event: [UInt8], messages: Int) {
        let wired = try await Moto.fixture("wire", "--route", route, "--bucket", bucket)
        let queueURL = try #require(wired["queueUrl"]?.string)
        for key in Self.keys + ["old page.html"] {
            try await Moto.fixture("put", "--bucket", bucket, "--key", key)
        }
        try await Moto.fixture("delete", "--bucket", bucket, "--key", "old page.html")
        // S3 and SNS routes also carry the s3:TestEvent sent when the notification was configured.
        let expected = Self.keys.count + 2 + (route == "s3-eventbridge-sqs" ? 0 : 1)
        let event = try await Moto.fixture("drain", "--queue-url", queueURL, "--expect", String(expected))
        let count = event["Records"]?.array?.count ?? 0
        #expect(count == expected)
        return (Array(JSON.serialize(event).utf8), count)
    }

    @Test(
        "one invalidation with every changed path lands in moto",
        arguments: ["s3-sqs", "s3-sns-sqs", "s3-eventbridge-sqs"])
    func route(route: String) async throws {
        let bucket = Moto.unique("site")
        let distribution = try #require(try await Moto.fixture("create-distribution", "--bucket", bucket)["id"]?.string)
        let (event, _) = try await batch(route: route, bucket: bucket)

        let report = try await EmulatorSession.run(
            executable: Moto.bootstrap,
            environment: try Moto.functionEnvironment(["CLOUDFRONT_DISTRIBUTION_ID": distribution]),
            events: [event])
        #expect(report.initError == nil, "init error: \(report.logs)")
        #expect(report.responses == [#"{"batchItemFailures":[]}"#], "logs: \(report.logs)")

        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        let invalidations = try #require(landed["invalidations"]?.array)
        #expect(invalidations.count == 1, "one request per distribution per invocation")
        let paths = (invalidations.first?["paths"]?.array ?? []).compactMap(\.string)
        #expect(Set(paths) == Self.expectedPaths)
        #expect(paths.count == Self.expectedPaths.count, "paths are de-duplicated")
        #expect(invalidations.first?["callerReference"]?.string?.hasPrefix("cfinv-") == true)
        #expect(report.logs.contains("INFO invalidated"))
        #expect(report.logs.contains(distribution))
        #expect(!report.logs.contains("session-token-that-must-not-be-logged"))
        #expect(!report.logs.contains("testing/"), "no credential in the logs")
        if route != "s3-eventbridge-sqs" {
            #expect(report.logs.contains("s3:TestEvent"))
        }
    }

    @Test("the distribution id is read from the SSM parameter named by CF_DIST_ID_LABEL")
    func ssmParameter() async throws {
        let bucket = Moto.unique("param")
        let distribution = try #require(try await Moto.fixture("create-distribution", "--bucket", bucket)["id"]?.string)
        let parameter = "/\(bucket)/distribution"
        try await Moto.fixture("put-parameter", "--name", parameter, "--value", distribution, "--secure")
        let (event, _) = try await batch(route: "s3-sqs", bucket: bucket)
        let report = try await EmulatorSession.run(
            executable: Moto.bootstrap, environment: try Moto.functionEnvironment(["CF_DIST_ID_LABEL": parameter]),
            events: [event])
        #expect(report.responses == [#"{"batchItemFailures":[]}"#], "logs: \(report.logs)")
        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        #expect(landed["invalidations"]?.array?.count == 1)
    }

    @Test("with nothing configured, moto's distributions are discovered (summary without Origins, OriginPath)")
    func discovery() async throws {
        let bucket = Moto.unique("found")
        let distribution = try #require(
            try await Moto.fixture("create-distribution", "--bucket", bucket, "--origin-path", "/prod")["id"]?.string)
        let wired = try await Moto.fixture("wire", "--route", "s3-sqs", "--bucket", bucket)
        for key in ["prod/index.html", "prod/a b.css", "drafts/x.html"] {
            try await Moto.fixture("put", "--bucket", bucket, "--key", key)
        }
        let event = try await Moto.fixture(
            "drain", "--queue-url", try #require(wired["queueUrl"]?.string), "--expect", "4")
        let report = try await EmulatorSession.run(
            executable: Moto.bootstrap, environment: try Moto.functionEnvironment([:]),
            events: [Array(JSON.serialize(event).utf8)])
        #expect(report.responses == [#"{"batchItemFailures":[]}"#], "logs: \(report.logs)")
        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        let paths = (landed["invalidations"]?.array?.first?["paths"]?.array ?? []).compactMap(\.string)
        #expect(paths == ["/", "/a%20b.css", "/index.html"])
        #expect(report.logs.contains("outside every origin path"))
    }

    @Test(
        "a configuration that cannot work is reported to /runtime/init/error, naming the variable, and the process exits",
        arguments: [
            (["CF_DIST_ID_LABEL": "/does/not/exist"], "CF_DIST_ID_LABEL"),
            (["CLOUDFRONT_DISTRIBUTION_ID": "not-an-id"], "CLOUDFRONT_DISTRIBUTION_ID"),
        ])
    func initError(settings: [String: String], variable: String) async throws {
        let report = try await EmulatorSession.run(
            executable: Moto.bootstrap, environment: try Moto.functionEnvironment(settings),
            events: [Array(#"{"Records":[]}"#.utf8)])
        let body = try #require(report.initError, "logs: \(report.logs)")
        let error = try JSON.parse(body)
        #expect(error["errorType"]?.string == "Invalidator.ConfigurationError")
        #expect(error["errorMessage"]?.string?.contains(variable) == true)
        #expect(report.exitStatus != nil && report.exitStatus != 0)
        #expect(report.invocations.isEmpty)
    }

    @Test("bad records in a real batch are each logged once; the good ones are still invalidated")
    func badInput() async throws {
        let bucket = Moto.unique("bad")
        let distribution = try #require(try await Moto.fixture("create-distribution", "--bucket", bucket)["id"]?.string)
        let (event, _) = try await batch(route: "s3-sqs", bucket: bucket)
        var records = try JSON.parse(event)["Records"]?.array ?? []
        func message(_ id: String, _ body: String) -> JSONValue {
            .object(["messageId": .string(id), "eventSource": .string("aws:sqs"), "body": .string(body)])
        }
        records += [
            message("bad-json", "{not json"),
            message("bad-shape", #"{"hello":"world"}"#),
            message(
                "bad-key",
                #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"x"},"object":{"key":"%zz"}}}]}"#),
            message(
                "empty-key",
                #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"x"},"object":{"key":""}}}]}"#),
        ]
        let mixed = Array(JSON.serialize(.object(["Records": .array(records)])).utf8)
        let report = try await EmulatorSession.run(
            executable: Moto.bootstrap,
            environment: try Moto.functionEnvironment(["CLOUDFRONT_DISTRIBUTION_ID": distribution]),
            events: [mixed, Array("not json at all".utf8)])
        #expect(report.responses.first == #"{"batchItemFailures":[]}"#, "logs: \(report.logs)")
        #expect(report.invocations.count == 2, "the process survives garbage")
        for id in ["bad-json", "bad-shape", "bad-key", "empty-key"] {
            #expect(report.logs.components(separatedBy: "message \(id)").count - 1 == 1, "one line for \(id)")
        }
        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        let paths = (landed["invalidations"]?.array?.first?["paths"]?.array ?? []).compactMap(\.string)
        #expect(Set(paths) == Self.expectedPaths)
    }
}

@Suite("invalidator invoke against moto", .enabled(if: Moto.isAvailable))
struct InvokeTests {
    @Test("invoke runs the real handler in process and the invalidation lands")
    func invoke() async throws {
        let bucket = Moto.unique("invoke")
        let distribution = try #require(try await Moto.fixture("create-distribution", "--bucket", bucket)["id"]?.string)
        let event = CLI.fixtures.appending(path: "aws/s3-put.json").path
        let result = try await CLI.run(
            ["invoke", "--event", event],
            environment: try Moto.functionEnvironment(["CLOUDFRONT_DISTRIBUTION_ID": distribution]))
        #expect(result.status == 0, "\(result.stderr)")
        let response = try JSON.parse(result.stdout)
        #expect(response["invalidations"]?.array?.first?["distributionId"]?.string == distribution)
        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        let paths = landed["invalidations"]?.array?.first?["paths"]
        #expect(paths == .array(["/HappyFace.jpg", "/docs/old%20page+1.html"].map(JSONValue.string)))
    }

    @Test("a 6 MB event through the real bootstrap: decoded, invalidated, process alive")
    func largeEvent() async throws {
        let bucket = Moto.unique("large")
        let distribution = try #require(try await Moto.fixture("create-distribution", "--bucket", bucket)["id"]?.string)
        let body =
            #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"big.html"}}}]}"#
        let padding = String(repeating: "x", count: 6 * 1024 * 1024 - 600)
        let event = JSON.serialize(
            .object([
                "Records": .array([
                    .object([
                        "messageId": .string("big"), "eventSource": .string("aws:sqs"), "body": .string(body),
                        "messageAttributes": .object(["padding": .object(["stringValue": .string(padding)])]),
                    ])
                ])
            ]))
        #expect(event.utf8.count > 6_000_000)
        let report = try await EmulatorSession.run(
            executable: Moto.bootstrap,
            environment: try Moto.functionEnvironment(["CLOUDFRONT_DISTRIBUTION_ID": distribution]),
            events: [Array(event.utf8), Array(#"{"Records":[]}"#.utf8)])
        #expect(report.responses.first == #"{"batchItemFailures":[]}"#, "\(report.logs)")
        #expect(report.invocations.count == 2)
        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        #expect(landed["invalidations"]?.array?.first?["paths"] == .array([.string("/big.html")]))
    }
}

import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import Synchronization
import Testing

final class RecordingLog: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var logger: Logger {
        Logger(level: .debug, format: .text, write: { line in self.lines.withLock { $0.append(line) } })
    }
}

enum HandlerTestsEnvironment {
    static let values = environment
}

let environment = [
    "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_SESSION_TOKEN": "SESSION-TOKEN-SECRET",
]

func invalidationXML(_ id: String, paths: Int = 1) -> String {
    "<Invalidation><Id>\(id)</Id><Status>InProgress</Status><CreateTime>2026-11-22T10:00:00Z</CreateTime>"
        + "<InvalidationBatch><Paths><Quantity>\(paths)</Quantity></Paths><CallerReference>r</CallerReference>"
        + "</InvalidationBatch></Invalidation>"
}

func sqsEvent(_ messages: [(id: String, body: String)]) -> [UInt8] {
    let records = messages.map {
        "{\"messageId\":\"\($0.id)\",\"eventSource\":\"aws:sqs\",\"body\":\(JSON.quote($0.body))}"
    }
    return Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
}

func s3Body(bucket: String = "site", _ keys: String...) -> String {
    let records = keys.map {
        "{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"\(bucket)\"},\"object\":{\"key\":\(JSON.quote($0))}}}"
    }
    return "{\"Records\":[\(records.joined(separator: ","))]}"
}

func makeHandler(_ ids: [String], _ fake: FakeTransport, clock: VirtualClock = VirtualClock()) throws
    -> InvalidationHandler
{
    let startup = try Startup(environment: environment, transport: fake)
    return InvalidationHandler(
        resolver: DistributionResolver(ids: ids, map: nil, discovery: nil), planner: PlannerSettings(),
        cloudFront: try CloudFrontClient(configuration: startup.aws, transport: fake, clock: clock),
        codePipeline: try CodePipelineClient(configuration: startup.aws, transport: fake, clock: clock))
}

func invocation(_ body: [UInt8]) -> Invocation {
    Invocation(
        requestId: "req-1", deadlineMilliseconds: Int64(Date().timeIntervalSince1970 * 1000) + 30_000, body: body)
}

@Suite("Handler")
struct HandlerTests {
    @Test("an SQS batch becomes one invalidation per distribution and an empty batchItemFailures")
    func sqsSuccess() async throws {
        let fake = FakeTransport([
            .success(.text(201, invalidationXML("I1"))), .success(.text(201, invalidationXML("I2"))),
        ])
        let handler = try makeHandler(["E1", "E2"], fake)
        let log = RecordingLog()
        let event = sqsEvent([(id: "m1", body: s3Body("a+b.html")), (id: "m2", body: s3Body("docs/index.html"))])
        let result = await handler.handle(invocation(event), logger: log.logger)
        #expect(try result.get() == Array(#"{"batchItemFailures":[]}"#.utf8))
        #expect(
            fake.requests.map(\.path) == [
                "/2020-05-31/distribution/E1/invalidation", "/2020-05-31/distribution/E2/invalidation",
            ])
        let body = String(decoding: fake.requests[0].body, as: UTF8.self)
        #expect(body.contains("<Quantity>3</Quantity>"))
        #expect(body.contains("<Path>/a%20b.html</Path><Path>/docs/</Path><Path>/docs/index.html</Path>"))
        let summary = log.all.filter { $0.hasPrefix("INFO invalidated") }
        #expect(summary.count == 1)
        #expect(summary.first?.contains("invalidations=E1:I1:3,E2:I2:3") == true)
        // Two changes, each counted once although two distributions serve them.
        #expect(summary.first?.contains("billablePaths=6 changesCovered=2 ") == true, "\(summary)")
    }

    @Test("a failed distribution hands back exactly its messages; the other distribution's work stands")
    func partialFailure() async throws {
        let denied = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>"
        let fake = FakeTransport([.success(.text(201, invalidationXML("I1"))), .success(.text(403, denied))])
        let handler = try makeHandler(["E1", "E2"], fake)
        let event = sqsEvent([(id: "m1", body: s3Body("a")), (id: "m2", body: s3Body("b")), (id: "bad", body: "nope")])
        let log = RecordingLog()
        let result = await handler.handle(invocation(event), logger: log.logger)
        let response = try JSON.parse(try result.get())
        #expect(
            response
                == .object([
                    "batchItemFailures": .array([
                        .object(["itemIdentifier": .string("m1")]), .object(["itemIdentifier": .string("m2")]),
                    ])
                ]))
        #expect(log.all.contains { $0.hasPrefix("ERROR invalidation failed") && $0.contains("AccessDenied") })
        #expect(log.all.filter { $0.contains("record=\"message bad\"") }.count == 1)
    }

    @Test("a direct S3 invoke whose invalidation fails is an invocation error, so Lambda retries it")
    func directFailure() async throws {
        let unavailable = HTTPResponse.text(503, "<Error><Code>ServiceUnavailable</Code></Error>")
        let fake = FakeTransport(Array(repeating: .success(unavailable), count: 3))
        let handler = try makeHandler(["E1"], fake)
        let result = await handler.handle(invocation(Array(s3Body("a").utf8)), logger: RecordingLog().logger)
        guard case .failure(let error) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.errorType == "Invalidator.InvalidationFailed")
        #expect(error.errorMessage.contains("ServiceUnavailable"))
    }

    @Test("a direct invoke that succeeds answers a summary")
    func directSuccess() async throws {
        let fake = FakeTransport([.success(.text(201, invalidationXML("I9")))])
        let handler = try makeHandler(["E1"], fake)
        let result = await handler.handle(invocation(Array(s3Body("a", "b").utf8)), logger: RecordingLog().logger)
        let summary = try JSON.parse(try result.get())
        #expect(summary["invalidations"]?.array?.first?["invalidationId"]?.string == "I9")
        #expect(summary["invalidations"]?.array?.first?["paths"] == .number("2"))
    }

    @Test("with no distribution configured, records are acknowledged and logged, nothing is sent")
    func nothingConfigured() async throws {
        let fake = FakeTransport([])
        let handler = try makeHandler([], fake)
        let log = RecordingLog()
        let result = await handler.handle(invocation(sqsEvent([(id: "m1", body: s3Body("a"))])), logger: log.logger)
        #expect(try result.get() == Array(#"{"batchItemFailures":[]}"#.utf8))
        #expect(fake.requests.isEmpty)
        #expect(log.all.contains { $0.contains("no CloudFront distribution serves bucket site") })
    }

    @Test("test events and unrelated events are acknowledged with one log line and no request")
    func ignored() async throws {
        for payload in [
            #"{"Event":"s3:TestEvent","Bucket":"b"}"#, #"{"detail-type":"x","source":"aws.ec2"}"#, "garbage",
        ] {
            let fake = FakeTransport([])
            let log = RecordingLog()
            let result = try await makeHandler(["E1"], fake).handle(invocation(Array(payload.utf8)), logger: log.logger)
            #expect((try? result.get()) != nil)
            #expect(fake.requests.isEmpty)
            #expect(log.all.filter { $0.contains("record") && !$0.hasPrefix("INFO nothing") }.count == 1)
        }
    }

    @Test("secrets never reach a log line, even at debug")
    func noSecrets() async throws {
        let fake = FakeTransport([
            .success(.text(400, "<ErrorResponse><Error><Code>InvalidArgument</Code></Error></ErrorResponse>"))
        ])
        let log = RecordingLog()
        _ = try await makeHandler(["E1"], fake).handle(invocation(Array(s3Body("a").utf8)), logger: log.logger)
        let text = log.all.joined(separator: "\n")
        #expect(!text.contains("wJalrXUtnFEMI"))
        #expect(!text.contains("SESSION-TOKEN-SECRET"))
        #expect(!log.all.isEmpty)
    }
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test("CLOUDFRONT_DISTRIBUTION_ID takes one id or several; CF_DIST_ID_LABEL names a parameter")
    func distributions() throws {
        #expect(
            try Configuration(environment: ["CLOUDFRONT_DISTRIBUTION_ID": "E1ABC"]).distributions == .ids(["E1ABC"]))
        #expect(
            try Configuration(environment: ["CLOUDFRONT_DISTRIBUTION_ID": " E1, E2 ,E1"]).distributions
                == .ids(["E1", "E2"]))
        #expect(
            try Configuration(environment: ["CF_DIST_ID_LABEL": "/site/dist"]).distributions
                == .parameter(name: "/site/dist"))
        #expect(try Configuration(environment: [:]).distributions == DistributionSetting.none)
        let both = try Configuration(environment: ["CLOUDFRONT_DISTRIBUTION_ID": "E1", "CF_DIST_ID_LABEL": "/x"])
        #expect(both.distributions == .ids(["E1"]))
        #expect(both.ignoredVariables == ["CF_DIST_ID_LABEL"])
    }

    @Test(
        "a malformed id names the variable",
        arguments: ["e1abc", "E1,,E2", "E1;E2", "arn:aws:cloudfront::1:distribution/E1", "E 1"])
    func malformed(value: String) {
        #expect { try Configuration(environment: ["CLOUDFRONT_DISTRIBUTION_ID": value]) } throws: { error in
            (error as? ConfigurationError)?.variable == "CLOUDFRONT_DISTRIBUTION_ID"
        }
    }

    @Test("INDEX_DOCUMENT changes or disables the index document")
    func indexDocument() throws {
        #expect(try Configuration(environment: [:]).planner.indexDocument == "index.html")
        #expect(
            try Configuration(environment: ["INDEX_DOCUMENT": "default.htm"]).planner.indexDocument == "default.htm")
        #expect(try Configuration(environment: ["INDEX_DOCUMENT": ""]).planner.indexDocument == nil)
        #expect(throws: ConfigurationError.self) { try Configuration(environment: ["INDEX_DOCUMENT": "a/b.html"]) }
    }

    @Test("the SSM parameter is read with decryption; missing, empty or unreadable names CF_DIST_ID_LABEL")
    func ssm() async throws {
        var env = environment
        env["CF_DIST_ID_LABEL"] = "/site/dist"
        let ok = FakeTransport([
            .success(.text(200, #"{"Parameter":{"Name":"/site/dist","Type":"SecureString","Value":"E1,E2\n"}}"#))
        ])
        #expect(try await Startup(environment: env, transport: ok).distributionIds() == ["E1", "E2"])
        #expect(String(decoding: ok.requests[0].body, as: UTF8.self).contains("\"WithDecryption\":true"))

        let map = FakeTransport([
            .success(
                .text(200, #"{"Parameter":{"Name":"/site/dist","Type":"String","Value":"{\"site/docs\":\"E9\"}"}}"#))
        ])
        let explicit = try await Startup(environment: env, transport: map).explicitDistributions()
        #expect(explicit.ids.isEmpty)
        #expect(explicit.map?.targets["site"] == [DistributionTarget(distributionId: "E9", keyPrefix: "docs/")])

        let failures: [HTTPResponse] = [
            .text(400, #"{"__type":"ParameterNotFound","message":"Parameter /site/dist not found."}"#),
            .text(200, #"{"Parameter":{"Name":"/site/dist","Type":"String","Value":"  "}}"#),
            .text(400, #"{"__type":"AccessDeniedException","message":"denied"}"#),
            .text(200, #"{"Parameter":{"Name":"/site/dist","Type":"String","Value":"not an id"}}"#),
        ]
        for response in failures {
            let fake = FakeTransport([.success(response)])
            await #expect { try await Startup(environment: env, transport: fake).distributionIds() } throws: { error in
                guard let error = error as? ConfigurationError else { return false }
                return error.variable.hasPrefix("CF_DIST_ID_LABEL") && error.description.contains("/site/dist")
            }
        }
    }

    /// SSM that never answers: each attempt runs out its time limit on the test's clock.
    struct HangingTransport: HTTPTransport {
        let clock: VirtualClock
        func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
            try? await clock.sleep(for: timeout)
            throw AWSError(kind: .timeout, code: "RequestTimeout", message: "no response", service: "", operation: "")
        }
    }

    @Test("start-up is bounded: a hung SSM is an init error within Lambda's 10 s init phase, not 31 s later")
    func initBounded() async throws {
        var env = environment
        env["CF_DIST_ID_LABEL"] = "/site/dist"
        let clock = VirtualClock()
        let started = clock.now()
        let startup = try Startup(environment: env, transport: HangingTransport(clock: clock), clock: clock)
        await #expect { try await startup.distributionIds() } throws: { error in
            (error as? ConfigurationError)?.message.contains("did not answer within the 8 s") == true
        }
        #expect(clock.now().timeIntervalSince(started) <= Startup.timeLimit.seconds)
    }
}

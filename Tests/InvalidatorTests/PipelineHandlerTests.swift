import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import LocalAWS
import Synchronization
import Testing

/// CodePipeline's side of a job, in process: records each `PutJob…Result` with the time it was sent on the test's
/// clock, and answers it; everything else goes to the strict fake CloudFront.
final class RecordingCodePipeline: HTTPTransport {
    struct Report {
        var operation: String
        var body: JSONValue
        var time: Date
    }

    let cloudFront: any HTTPTransport
    let clock: VirtualClock
    private let state = Mutex<[Report]>([])
    var reports: [Report] { state.withLock { $0 } }

    init(cloudFront: any HTTPTransport, clock: VirtualClock) {
        self.cloudFront = cloudFront
        self.clock = clock
    }

    func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
        guard let target = request.headers.first(where: { $0.name == "x-amz-target" })?.value else {
            return try await cloudFront.send(request, timeout: timeout)
        }
        let report = Report(
            operation: String(target.split(separator: ".").last ?? ""),
            body: (try? JSON.parse(request.body)) ?? .null, time: clock.now())
        state.withLock { $0.append(report) }
        return .text(200, "{}")
    }
}

func pipelineJob(_ userParameters: String, continuationToken: String? = nil) -> [UInt8] {
    var data: [String: JSONValue] = [
        "actionConfiguration": .object(["configuration": .object(["UserParameters": .string(userParameters)])])
    ]
    if let continuationToken { data["continuationToken"] = .string(continuationToken) }
    return Array(
        JSON.serialize(.object(["CodePipeline.job": .object(["id": .string("job-1"), "data": .object(data)])])).utf8)
}

@Suite("CodePipeline jobs end reported")
struct PipelineHandlerTests {
    /// A handler whose every CloudFront request hangs until its time limit.
    func hangingCloudFront(clock: VirtualClock) async throws -> (
        InvalidationHandler, RecordingCodePipeline, FakeCloudFront
    ) {
        let cloudFront = try await FakeCloudFront.start(clock: clock)
        await cloudFront.addDistribution("E1")
        await cloudFront.injectFaults { _ in .slow(.seconds(3600)) }
        let wire = RecordingCodePipeline(cloudFront: cloudFront.transport, clock: clock)
        return (try strictHandler(cloudFront, clock: clock, transport: wire), wire, cloudFront)
    }

    /// The review's case (a 30 s function and CreateInvalidation hanging) and Lambda's default 3 s timeout: three
    /// attempts used to run to the deadline, leaving the report no time, and the stage hung until CodePipeline's own
    /// timeout.
    @Test("a job whose CreateInvalidation hangs is reported failed before the deadline", arguments: [30.0, 3.0, 900.0])
    func createHangs(seconds: Double) async throws {
        let clock = VirtualClock()
        let (handler, wire, cloudFront) = try await hangingCloudFront(clock: clock)
        let deadline = clock.now().addingTimeInterval(seconds)
        let result = await handler.handle(
            invocation(pipelineJob("E1"), clock: clock, seconds: seconds), logger: Logger.none)
        #expect((try? result.get()) != nil, "the job was reported, so the invocation succeeds")
        let report = try #require(wire.reports.first)
        #expect(wire.reports.count == 1)
        #expect(report.operation == "PutJobFailureResult")
        #expect(report.time < deadline.addingTimeInterval(-0.5))
        #expect(report.body["failureDetails"]?["message"]?.string?.contains("CreateInvalidation") == true)
        await cloudFront.shutdown()
    }

    @Test("a waiting job whose GetInvalidation hangs still hands CodePipeline its continuation token")
    func pollHangs() async throws {
        let clock = VirtualClock()
        let (handler, wire, cloudFront) = try await hangingCloudFront(clock: clock)
        let state = PipelineWaitState(
            startedAt: Int64(clock.now().timeIntervalSince1970), maxWaitSeconds: 600,
            invalidations: [.init(target: "E1", invalidationId: "I1")])
        let deadline = clock.now().addingTimeInterval(30)
        let result = await handler.handle(
            invocation(pipelineJob(#"{"wait":true}"#, continuationToken: state.token), clock: clock, seconds: 30),
            logger: Logger.none)
        #expect((try? result.get()) != nil)
        let report = try #require(wire.reports.first)
        #expect(report.operation == "PutJobSuccessResult")
        let token = try #require(report.body["continuationToken"]?.string)
        #expect(PipelineWaitState(token: token, now: Int64(clock.now().timeIntervalSince1970)) == state)
        #expect(report.time < deadline.addingTimeInterval(-0.5))
        await cloudFront.shutdown()
    }

    @Test("a crafted continuation token fails the job with a reason, and never traps")
    func craftedToken() async throws {
        let clock = VirtualClock()
        let (handler, wire, cloudFront) = try await hangingCloudFront(clock: clock)
        let token = #"{"v":1,"start":-9223372036854775808,"max":600,"inv":[["E1","I1"]]}"#
        let result = await handler.handle(
            invocation(pipelineJob("", continuationToken: token), clock: clock, seconds: 30), logger: Logger.none)
        #expect((try? result.get()) != nil)
        #expect(wire.reports.map(\.operation) == ["PutJobFailureResult"])
        #expect(wire.reports.first?.body["failureDetails"]?["message"]?.string?.contains("continuation token") == true)
        await cloudFront.shutdown()
    }

    @Test("a job's tags are sent beside its paths, tags first, each billable")
    func tags() async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock)
        await cloudFront.addDistribution("E1")
        let wire = RecordingCodePipeline(cloudFront: cloudFront.transport, clock: clock)
        let handler = try strictHandler(cloudFront, clock: clock, transport: wire)
        let parameters = ##"{"distributionId":"E1","tags":["html","#Docs","HTML"],"paths":["/index.html"]}"##
        let result = await handler.handle(
            invocation(pipelineJob(parameters), clock: clock, seconds: 30), logger: Logger.none)
        #expect((try? result.get()) != nil)
        #expect(wire.reports.map(\.operation) == ["PutJobSuccessResult"])
        #expect(await cloudFront.invalidations.map(\.paths) == [["#Docs", "#html", "/index.html"]])
        await cloudFront.shutdown()
    }

    @Test(
        "a job's tags go only where CacheTagConfig is confirmed: otherwise the job fails naming the distribution",
        arguments: [
            (header: "X-Amz-Meta-Cache-Tag" as String?, force: false, sent: true),
            (header: nil, force: false, sent: false), (header: "x-tags", force: false, sent: false),
            (header: nil, force: true, sent: true),
        ])
    func tagsConfirmed(header: String?, force: Bool, sent: Bool) async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock)
        await cloudFront.addDistribution("E1", origins: [("site.s3.amazonaws.com", "")], cacheTagHeader: header)
        let wire = RecordingCodePipeline(cloudFront: cloudFront.transport, clock: clock)
        var handler = try strictHandler(cloudFront, clock: clock, transport: wire)
        let aws = try AWSConfiguration(environment: environment)
        handler.cacheTagCheck = CacheTagCheck(
            cloudFront: try CloudFrontClient(configuration: aws, transport: cloudFront.transport, clock: clock),
            settings: CacheTagSettings())
        let parameters = #"{"distributionId":"E1","tags":["html"],"forceTags":\#(force)}"#
        let result = await handler.handle(
            invocation(pipelineJob(parameters), clock: clock, seconds: 30), logger: Logger.none)
        #expect((try? result.get()) != nil)
        let report = try #require(wire.reports.first)
        if sent {
            #expect(report.operation == "PutJobSuccessResult")
            #expect(await cloudFront.invalidations.map(\.paths) == [["#html"]])
        } else {
            #expect(report.operation == "PutJobFailureResult")
            #expect(report.body["failureDetails"]?["type"]?.string == "ConfigurationError")
            let message = report.body["failureDetails"]?["message"]?.string ?? ""
            #expect(message.contains("distribution E1") && message.contains("forceTags"), "\(message)")
            #expect(await cloudFront.invalidations.isEmpty)
        }
        await cloudFront.shutdown()
    }

    @Test("a bad tag fails the job as a configuration error naming the tag; nothing is invalidated")
    func badTag() async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock)
        await cloudFront.addDistribution("E1")
        let wire = RecordingCodePipeline(cloudFront: cloudFront.transport, clock: clock)
        let handler = try strictHandler(cloudFront, clock: clock, transport: wire)
        let result = await handler.handle(
            invocation(pipelineJob(#"{"distributionId":"E1","tags":["html","a,b"]}"#), clock: clock, seconds: 30),
            logger: Logger.none)
        #expect((try? result.get()) != nil)
        let report = try #require(wire.reports.first)
        #expect(report.operation == "PutJobFailureResult")
        #expect(report.body["failureDetails"]?["type"]?.string == "ConfigurationError")
        #expect(report.body["failureDetails"]?["message"]?.string?.contains(#"cache tag "a,b""#) == true)
        #expect(await cloudFront.requestCount == 0)
        await cloudFront.shutdown()
    }
}

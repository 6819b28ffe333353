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

/// The handler against the strict fake CloudFront, in-process, on a virtual clock: limits, throttling, conflicts and
/// deadlines take no real time.
func strictHandler(
    _ cloudFront: FakeCloudFront, ids: [String] = ["E1"], clock: VirtualClock, jitter: Double = 1,
    transport: (any HTTPTransport)? = nil
) throws -> InvalidationHandler {
    let aws = try AWSConfiguration(environment: environment)
    let wire = transport ?? cloudFront.transport
    var handler = InvalidationHandler(
        resolver: DistributionResolver(ids: ids, map: nil, discovery: nil), planner: PlannerSettings(),
        cloudFront: try CloudFrontClient(configuration: aws, transport: wire, clock: clock, random: { jitter }),
        codePipeline: try CodePipelineClient(configuration: aws, transport: wire, clock: clock))
    handler.random = { jitter }
    return handler
}

/// An invocation whose deadline is `seconds` from now on `clock`.
func invocation(_ body: [UInt8], clock: VirtualClock, seconds: Double) -> Invocation {
    Invocation(
        requestId: "req", deadlineMilliseconds: Int64((clock.now().timeIntervalSince1970 + seconds) * 1000),
        body: body)
}

/// Records the time of every request the fake sees.
final class RequestTimes: Sendable {
    private let times = Mutex<[(String, Date)]>([])
    var all: [(operation: String, time: Date)] { times.withLock { $0.map { (operation: $0.0, time: $0.1) } } }
    var injector: @Sendable (FakeCloudFront.RequestInfo) -> FakeCloudFront.Fault? {
        { info in
            self.times.withLock { $0.append((info.operation, info.time)) }
            return nil
        }
    }
}

@Suite("Limits, throttling, conflicts and deadlines")
struct ReliabilityTests {
    @Test("TooManyInvalidationsInProgress is waited out within the invocation, then the invalidation is created")
    func limitWaitedOut() async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock, limits: .init(filePaths: 1))
        await cloudFront.addDistribution("E1")
        await cloudFront.completeInvalidations(after: .seconds(30))
        let handler = try strictHandler(cloudFront, clock: clock)
        let first = await handler.handle(
            invocation(Array(s3Body("a").utf8), clock: clock, seconds: 60), logger: RecordingLog().logger)
        #expect((try? first.get()) != nil)
        let log = RecordingLog()
        let start = clock.now()
        let second = await handler.handle(
            invocation(Array(s3Body("b").utf8), clock: clock, seconds: 60), logger: log.logger)
        #expect(try JSON.parse(try second.get())["invalidations"]?.array?.count == 1)
        let waited = clock.now().timeIntervalSince(start)
        #expect(waited >= 30 && waited < 60, "waited \(waited) s")
        #expect(log.all.contains { $0.hasPrefix("INFO too many invalidations in progress; waiting") })
        #expect(log.all.contains { $0.contains("limitWaits=") && !$0.contains("limitWaits=0") })
        #expect(await cloudFront.invalidations.map(\.paths) == [["/a"], ["/b"]])
        await cloudFront.shutdown()
    }

    @Test("a limit that outlasts the deadline hands back exactly the affected messages; no call after the deadline")
    func limitUntilDeadline() async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock, limits: .init(filePaths: 2))
        await cloudFront.addDistribution("E1")
        await cloudFront.addDistribution("E2")
        await cloudFront.completeInvalidations(after: .seconds(900))
        let times = RequestTimes()
        await cloudFront.injectFaults(times.injector)
        // E1 fills up; E2 does not.
        let full = try strictHandler(cloudFront, ids: ["E1"], clock: clock)
        _ = await full.handle(invocation(Array(s3Body("x", "y").utf8), clock: clock, seconds: 30), logger: Logger.none)

        let e1 = try strictHandler(cloudFront, ids: ["E1"], clock: clock)
        let log = RecordingLog()
        let deadline = clock.now().addingTimeInterval(30)
        let event = sqsEvent([(id: "m1", body: s3Body("a")), (id: "m2", body: s3Body("b"))])
        let result = await e1.handle(invocation(event, clock: clock, seconds: 30), logger: log.logger)
        let failures = try JSON.parse(try result.get())["batchItemFailures"]?.array ?? []
        #expect(failures.compactMap { $0["itemIdentifier"]?.string } == ["m1", "m2"])
        #expect(times.all.allSatisfy { $0.time < deadline }, "no AWS call at or after the deadline")
        #expect(clock.now() < deadline)
        #expect(log.all.contains { $0.contains("too many invalidations in progress until the deadline") })

        let direct = await e1.handle(
            invocation(Array(s3Body("c").utf8), clock: clock, seconds: 10), logger: RecordingLog().logger)
        guard case .failure(let error) = direct else {
            Issue.record("a direct invoke must fail so that Lambda retries it")
            return
        }
        #expect(error.errorMessage.contains("TooManyInvalidationsInProgress"))
        await cloudFront.shutdown()
    }

    @Test("Throttling from the account's rate limit is retried with backoff and succeeds")
    func throttled() async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(
            clock: clock, rateLimit: .init(burst: 1, perSecond: 0.5))
        await cloudFront.addDistribution("E1")
        let handler = try strictHandler(cloudFront, clock: clock)
        _ = await handler.handle(invocation(Array(s3Body("a").utf8), clock: clock, seconds: 30), logger: Logger.none)
        let log = RecordingLog()
        let result = await handler.handle(
            invocation(Array(s3Body("b").utf8), clock: clock, seconds: 30), logger: log.logger)
        #expect((try? result.get()) != nil)
        #expect(await cloudFront.counters.throttled == 2, "1 s then 2 s of backoff refill the bucket")
        #expect(await cloudFront.counters.created == 2)
        #expect(log.all.contains { $0.contains("retries=2") && $0.contains("throttles=2") })
        await cloudFront.shutdown()
    }

    @Test("a CallerReference conflict is logged with both batches and submitted once under a derived reference")
    func conflict() async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock)
        await cloudFront.addDistribution("E1")
        let handler = try strictHandler(cloudFront, clock: clock)
        let body = Array(s3Body("a").utf8)
        let (plan, _) = await handler.plan(EventDecoder.decode(body))
        let reference = try #require(plan.invalidations.first?.callerReference)
        // Someone else's batch under our reference.
        let other = try await CloudFrontClient(
            configuration: AWSConfiguration(environment: environment), transport: cloudFront.transport, clock: clock
        ).createInvalidation(distributionId: "E1", callerReference: reference, paths: ["/other"])

        let log = RecordingLog()
        let result = await handler.handle(invocation(body, clock: clock, seconds: 30), logger: log.logger)
        #expect((try? result.get()) != nil)
        let line = try #require(log.all.first { $0.hasPrefix("ERROR caller reference conflict") })
        #expect(line.contains("callerReference=\(reference)"))
        #expect(line.contains("existingInvalidation=\(other.id)"))
        #expect(line.contains("records="))
        let derived = Planner.conflictReference(for: reference)
        #expect(await cloudFront.invalidations.map(\.callerReference) == [reference, derived])
        // The answer and the log name the reference the invalidation was created under, not the conflicting one.
        let answer = try JSON.parse(try result.get())
        #expect(answer["invalidations"]?.array?.first?["callerReference"]?.string == derived)
        #expect(log.all.contains { $0.contains("invalidation created") && $0.contains("callerReference=\(derived)") })

        // A redelivery takes the same path and creates nothing new.
        _ = await handler.handle(invocation(body, clock: clock, seconds: 30), logger: Logger.none)
        #expect(await cloudFront.counters.created == 2)
        #expect(await cloudFront.counters.idempotentReplays == 1)
        await cloudFront.shutdown()
    }

    @Test(
        "wire faults over real HTTP: a reset or truncated answer is a connection error, a slow one a timeout",
        arguments: [FakeCloudFront.Fault.reset, .truncated, .slow(.seconds(8))])
    func wireFaults(fault: FakeCloudFront.Fault) async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1")
        await cloudFront.script("E1", faults: [fault])
        var environment = environment
        environment["AWS_ENDPOINT_URL_CLOUDFRONT"] = cloudFront.endpoint
        var aws = try AWSConfiguration(environment: environment)
        aws.retryPolicy = .none
        var client = try CloudFrontClient(configuration: aws, transport: HTTP1Transport()).client
        let slow = fault == .slow(.seconds(8))
        // Generous limits: the machine runs the other suites (the 1,000-deploy chaos among them) meanwhile; a reset
        // or a cut answer comes at once when the machine is idle.
        client.requestTimeout = slow ? .seconds(1) : .seconds(60)
        await #expect {
            try await CloudFrontClient(client: client).createInvalidation(
                distributionId: "E1", callerReference: "r", paths: ["/a"])
        } throws: { error in
            let error = error as? AWSError
            return slow ? error?.kind == .timeout : error?.kind == .transport
        }
        // The request that was answered slowly or cut short still took effect; a retry is idempotent.
        client.requestTimeout = .seconds(10)
        let created = try await CloudFrontClient(client: client).createInvalidation(
            distributionId: "E1", callerReference: "r", paths: ["/a"])
        #expect(await cloudFront.invalidations.count == 1)
        #expect(created.paths == ["/a"])
        await cloudFront.shutdown()
    }
}

extension Logger {
    /// A logger that writes nothing.
    static var none: Logger { Logger(write: { _ in }) }
}

/// The embedded-metrics line of each invocation, checked against the EMF specification's rules.
@Suite("Metrics and tracing")
struct MetricsTests {
    static let units: Set<String> = [
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits",
        "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
        "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
        "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    ]

    /// The EMF rules: `_aws` with an integer millisecond `Timestamp` and `CloudWatchMetrics` directives; a
    /// namespace of 1-255 characters; dimension sets of at most 30 names, each a top-level string member; at most
    /// 100 metrics, each named 1-255 characters, with a known unit, and a top-level number.
    static func validate(_ line: String) throws -> JSONValue {
        let document = try JSON.parse(Array(line.utf8))
        let aws = try #require(document["_aws"])
        let timestamp = try #require(aws["Timestamp"]?.scalarText.flatMap { Int64($0) })
        #expect(abs(Double(timestamp) / 1000 - Date().timeIntervalSince1970) < 3600)
        let directives = try #require(aws["CloudWatchMetrics"]?.array)
        #expect(!directives.isEmpty)
        for directive in directives {
            let namespace = try #require(directive["Namespace"]?.string)
            #expect((1...255).contains(namespace.count))
            for set in try #require(directive["Dimensions"]?.array) {
                let names = try #require(set.array)
                #expect(names.count <= 30)
                for name in names {
                    #expect(document[try #require(name.string)]?.string != nil, "dimension \(name) is a string member")
                }
            }
            let metrics = try #require(directive["Metrics"]?.array)
            #expect((1...100).contains(metrics.count))
            for metric in metrics {
                let name = try #require(metric["Name"]?.string)
                #expect((1...255).contains(name.count))
                if let unit = metric["Unit"] { #expect(units.contains(unit.string ?? ""), "unit \(unit)") }
                #expect(document[name]?.scalarText.flatMap { Double($0) } != nil, "metric \(name) is a number")
            }
        }
        return document
    }

    @Test("one EMF line per invocation, in text and JSON log formats, with the invocation's figures")
    func emf() async throws {
        for format in [Logger.Format.text, .json] {
            let clock = VirtualClock()
            let cloudFront = try await FakeCloudFront.start(clock: clock)
            await cloudFront.addDistribution("E1")
            await cloudFront.script("E1", faults: [.throttling])
            var handler = try strictHandler(cloudFront, clock: clock)
            handler.metricsNamespace = "Site/Cache"
            let lines = RecordingLog()
            let logger = Logger(level: .error, format: format, write: { line in lines.logger.raw(line) })
                .with("requestId", "req-emf")
            let event = sqsEvent([(id: "m1", body: s3Body("a", "docs/index.html")), (id: "bad", body: "{")])
            _ = await handler.handle(invocation(event, clock: clock, seconds: 30), logger: logger)
            let emf = lines.all.filter { $0.hasPrefix("{\"_aws\"") }
            #expect(emf.count == 1, "\(lines.all)")
            let document = try Self.validate(try #require(emf.first))
            #expect(document["_aws"]?["CloudWatchMetrics"]?.array?.first?["Namespace"]?.string == "Site/Cache")
            #expect(document["DistributionId"]?.string == "E1")
            #expect(document["requestId"]?.string == "req-emf")
            if format == .json {
                #expect(document["level"]?.string == "ERROR", "passes Lambda's filter at the configured level")
                #expect(document["message"]?.string == "metrics" && document["timestamp"]?.string != nil)
            }
            let figures = [
                "ChangesReceived": "2", "PathsSubmitted": "3", "BillablePaths": "3", "InvalidationsCreated": "1",
                "Retries": "1", "Throttles": "1", "SkippedRecords": "1", "BatchItemFailures": "0",
            ]
            for (name, value) in figures { #expect(document[name]?.scalarText == value, "\(name)") }
            await cloudFront.shutdown()
        }
    }

    @Test("METRICS_NAMESPACE is checked; AWS/ is reserved")
    func namespace() throws {
        #expect(try Configuration(environment: ["METRICS_NAMESPACE": "Site/Cache"]).metricsNamespace == "Site/Cache")
        #expect(try Configuration(environment: [:]).metricsNamespace == "CloudFrontInvalidator")
        for bad in ["AWS/CloudFront", String(repeating: "x", count: 256), "naïve"] {
            #expect(throws: ConfigurationError.self) { try Configuration(environment: ["METRICS_NAMESPACE": bad]) }
        }
    }

    @Test("the invocation's trace id goes to AWS as X-Amzn-Trace-Id, unsigned")
    func traceHeader() async throws {
        let fake = FakeTransport([.success(.text(201, invalidationXML("I1")))])
        let handler = try makeHandler(["E1"], fake)
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        let traced = Invocation(
            requestId: "r", deadlineMilliseconds: Int64(Date().timeIntervalSince1970 * 1000) + 30_000,
            traceId: trace, body: Array(s3Body("a").utf8))
        _ = await handler.handle(traced, logger: Logger.none)
        let request = try #require(fake.requests.first)
        #expect(request.headers.first { $0.name == "x-amzn-trace-id" }?.value == trace)
        let authorization = try #require(request.headers.first { $0.name == "authorization" }?.value)
        #expect(!authorization.contains("x-amzn-trace-id"))
    }
}

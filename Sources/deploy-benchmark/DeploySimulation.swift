import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import LocalAWS
import Synchronization

/// One deploy through the queue, the event source mapping and the real handler, against the strict fake CloudFront
/// with its documented limits, on a simulated clock.
enum DeploySimulation {
    /// What a run produced.
    struct Figures {
        var invocations = 0
        var created = 0
        var attempts = 0
        var billablePaths = 0
        var peakWildcards = 0
        var throttles = 0
        var inProgressRefusals = 0
        var handedBack = 0
        var redelivered = 0
        var deadLettered = 0
        var lastUpload = 0.0
        var lastCreated: Double?
        var lastCompleted: Double?
        var receiveCalls = 0
        var awsCalls: [String: Int] = [:]
        var virtualSeconds = 0.0
        var unfinished = 0
    }

    /// The fake CloudFront's settings: CloudFront's documented limits.
    struct CloudFrontSettings {
        var ratePerSecond = 0.5
        var burst = 1.0
        var completion = 20.0
    }

    static let environment = [
        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ]
    static let distribution = "E2QWRUHAPOMQZL"
    static let queueARN = "arn:aws:sqs:us-east-1:123456789012:site-changes"
    static let start = Date(timeIntervalSince1970: 1_795_341_600)

    /// A transport that counts every call by service (the host's first label) and CloudFront's POSTs.
    struct CountingTransport: HTTPTransport {
        let inner: any HTTPTransport
        let shared: Shared

        func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
            let host = request.origin.split(separator: "/").last.map(String.init) ?? request.origin
            let service = host.split(separator: ".").first.map(String.init) ?? host
            let key =
                request.method == "POST" && request.path.hasSuffix("/invalidation") ? "CreateInvalidation" : service
            shared.counts.withLock { $0[key, default: 0] += 1 }
            return try await inner.send(request, timeout: timeout)
        }
    }

    final class Shared: Sendable {
        let counts = Mutex<[String: Int]>([:])
        /// Finished invocations: poller index and result.
        let finished = Mutex<[(Int, InvocationResult)]>([])
    }

    static func run(
        deploy: Deploy, mapping: EventSourceMapping, queue: SQSQueue, delaySeconds: Double,
        cloudFront cloudFrontSettings: CloudFrontSettings, seed: UInt64, limitSeconds: Double = 6 * 3600
    ) async throws -> Figures {
        var figures = Figures()
        figures.lastUpload = deploy.lastUpload
        var random = SeededRandom(seed: seed &* 0x2545_F491_4F6C_DD1D)
        let clock = SimulatedClock(start: start)
        let cloudFront = try await FakeCloudFront.start(
            clock: clock, limits: .init(filePaths: 3000, wildcardPaths: 15),
            rateLimit: .init(burst: cloudFrontSettings.burst, perSecond: cloudFrontSettings.ratePerSecond))
        await cloudFront.addDistribution(distribution)
        await cloudFront.completeInvalidations(after: .milliseconds(Int64(cloudFrontSettings.completion * 1000)))
        let shared = Shared()
        let transport = CountingTransport(inner: cloudFront.transport, shared: shared)
        let aws = try AWSConfiguration(environment: environment)

        var queue = queue
        var pollers = [EventSourceMapping.Poller](repeating: .init(), count: mapping.pollers)
        var nextUpload = 0
        var invoking = 0
        var invocationNumber = 0
        // Times on a microsecond grid, so that an event and the clock moved to it compare equal.
        func grid(_ seconds: Double) -> Double { (seconds * 1_000_000).rounded() / 1_000_000 }
        func time() -> Double { grid(clock.now().timeIntervalSince(start)) }

        while true {
            let now = time()
            guard now < limitSeconds else { break }
            // Uploads whose message is sent by now.
            while nextUpload < deploy.uploads.count, deploy.uploads[nextUpload].sent <= now {
                let upload = deploy.uploads[nextUpload]
                _ = queue.send(
                    id: Deploy.uuid(nextUpload, salt: 20),
                    body: Deploy.eventBridgeBody(
                        bucket: "my-site-bucket", key: upload.key, index: nextUpload,
                        time: eventTime(upload.finished)),
                    at: upload.sent, delaySeconds: delaySeconds)
                nextUpload += 1
            }
            // Invocations waiting on the clock whose time has come, one at a time.
            while await clock.resumeNextDue() {}
            // Finished invocations: Lambda deletes what the answer did not name; named messages stay invisible
            // until their visibility timeout ends.
            for (index, result) in shared.finished.withLock({ finished in
                defer { finished = [] }; return finished
            }) {
                let batch = pollers[index].batch
                var failed: Set<String>
                switch result {
                case .success(let body):
                    let items = (try? JSON.parse(body))?["batchItemFailures"]?.array ?? []
                    failed = Set(items.compactMap { $0["itemIdentifier"]?.string })
                case .failure:
                    failed = Set(batch.map { queue.messages[$0].id })
                }
                for message in batch {
                    if failed.contains(queue.messages[message].id) {
                        figures.handedBack += 1
                    } else {
                        queue.delete(message)
                    }
                }
                pollers[index] = .init()
                invoking -= 1
            }
            // The pollers, in a seeded random order: SQS hands waiting messages to whichever receive comes first.
            for index in pollers.indices.shuffled(using: &random) {
                guard !pollers[index].invoking else { continue }
                let gathering = pollers.filter { !$0.invoking && !$0.batch.isEmpty }.count
                // With MaximumConcurrency reached, a poller starts no new batch: messages stay in the queue.
                if pollers[index].batch.isEmpty, invoking + gathering >= mapping.maximumConcurrency { continue }
                if !pollers[index].isReady(mapping, at: now), queue.hasVisible(at: now) {
                    let room = min(EventSourceMapping.receiveMaximum, mapping.batchSize - pollers[index].batch.count)
                    for message in queue.receive(maximum: room, at: now) {
                        if queue.messages[message].receiveCount > 1 { figures.redelivered += 1 }
                        pollers[index].batch.append(message)
                        pollers[index].bytes += queue.record(message, queueARN: queueARN).utf8.count + 1
                        if pollers[index].windowStart == nil { pollers[index].windowStart = now }
                    }
                }
                guard pollers[index].isReady(mapping, at: now), invoking < mapping.maximumConcurrency else { continue }
                // Invoke: the real handler, its clients on the simulated clock, seeded jitter.
                pollers[index].invoking = true
                invoking += 1
                invocationNumber += 1
                figures.invocations += 1
                let records = pollers[index].batch.map { queue.record($0, queueARN: queueARN) }
                let body = Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
                let jitter = SeededJitter(seed: random.next())
                var handler = InvalidationHandler(
                    resolver: DistributionResolver(ids: [distribution], map: nil, discovery: nil),
                    planner: PlannerSettings(),
                    cloudFront: try CloudFrontClient(
                        configuration: aws, transport: transport, clock: clock, random: jitter.function),
                    codePipeline: try CodePipelineClient(configuration: aws, transport: transport, clock: clock))
                handler.random = jitter.function
                let deadline = clock.now().addingTimeInterval(mapping.functionTimeout)
                let invocation = Invocation(
                    requestId: "invocation-\(invocationNumber)",
                    deadlineMilliseconds: Int64((deadline.timeIntervalSince1970 * 1000).rounded()), body: body)
                let poller = index
                let finishedHandler = handler
                await clock.runUntilBlocked {
                    Task.detached {
                        let result = await finishedHandler.handle(invocation, logger: Logger(write: { _ in }))
                        shared.finished.withLock { $0.append((poller, result)) }
                        clock.taskEnded()
                    }
                }
            }
            if !shared.finished.withLock({ $0.isEmpty }) { continue }

            // Done: every upload sent, nothing left in the queue, nothing running.
            if nextUpload == deploy.uploads.count, queue.remaining == 0, invoking == 0 { break }
            // The next moment something can happen.
            var next: [Double] = []
            if nextUpload < deploy.uploads.count { next.append(deploy.uploads[nextUpload].sent) }
            if let wake = clock.nextWake { next.append(grid(wake.timeIntervalSince(start))) }
            if let visible = queue.nextVisible(after: now) { next.append(visible) }
            for poller in pollers where !poller.invoking && !poller.batch.isEmpty {
                if let windowStart = poller.windowStart { next.append(windowStart + mapping.batchingWindow) }
            }
            let canReceive = pollers.contains { !$0.invoking && $0.batch.count < mapping.batchSize }
            if canReceive, queue.hasVisible(at: now) { next.append(now + EventSourceMapping.receiveInterval) }
            guard let soonest = next.filter({ $0 > now }).min() else { break }
            clock.advance(to: start.addingTimeInterval(soonest))
            if let wake = clock.nextWake, grid(wake.timeIntervalSince(start)) <= soonest { clock.advance(to: wake) }
        }

        figures.virtualSeconds = time()
        figures.unfinished = queue.remaining
        figures.deadLettered = queue.deadLettered.count
        figures.receiveCalls = queue.receiveCalls
        let counters = await cloudFront.counters
        let records = await cloudFront.invalidations
        await cloudFront.shutdown()
        figures.created = counters.created
        figures.throttles = counters.throttled
        figures.inProgressRefusals = counters.tooManyInProgress
        figures.awsCalls = shared.counts.withLock { $0 }
        figures.attempts = figures.awsCalls["CreateInvalidation"] ?? 0
        figures.billablePaths = records.reduce(0) { $0 + $1.paths.count }
        figures.lastCreated = records.map { $0.created.timeIntervalSince(start) }.max()
        figures.lastCompleted = records.map { $0.completes.timeIntervalSince(start) }.max()
        for record in records {
            let running = records.filter { $0.created <= record.created && $0.completes > record.created }
            figures.peakWildcards = max(figures.peakWildcards, running.reduce(0) { $0 + $1.wildcardCount })
        }
        return figures
    }

    /// An EventBridge event's time (`2026-11-22T10:01:02Z`), seconds after 10:00 on the deploy's day.
    static func eventTime(_ seconds: Double) -> String {
        let whole = Int(seconds)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "2026-11-22T\(two(10 + whole / 3600)):\(two(whole / 60 % 60)):\(two(whole % 60))Z"
    }

    /// The plan for the whole deploy as one batch: what coalescing aims for.
    static func oneBatchPlan(deploy: Deploy) async -> (requests: Int, billablePaths: Int) {
        var queue = SQSQueue(visibilityTimeout: 600, maxReceiveCount: nil)
        let records = deploy.uploads.enumerated().map { index, upload in
            let message = queue.send(
                id: Deploy.uuid(index, salt: 20),
                body: Deploy.eventBridgeBody(
                    bucket: "my-site-bucket", key: upload.key, index: index,
                    time: eventTime(upload.finished)),
                at: upload.sent)
            return queue.record(message, queueARN: queueARN)
        }
        let event = Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
        let (plan, _) = await InvalidationHandler.plan(
            EventDecoder.decode(event), resolver: DistributionResolver(ids: [distribution], map: nil, discovery: nil),
            planner: PlannerSettings())
        return (plan.invalidations.count, plan.invalidations.reduce(0) { $0 + $1.paths.count })
    }
}

import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import LocalAWS
import Synchronization

/// The state of one simulated deploy, driven by `loop`: uploads become messages, pollers gather batches and invoke
/// the real handler, Lambda deletes or hands back what each answer says, and the clock jumps to the next event.
final class SimulationRun {
    let scenario: Scenario
    let clock: SimulatedClock
    let fakes: SimulationFakes
    let shared = SimulationShared()
    let aws: AWSConfiguration
    var queue: SQSQueue
    var pollers: [EventSourceMapping.Poller]
    var random: SeededRandom
    var nextUpload = 0
    var invoking = 0
    var invocationNumber = 0
    /// The upload each message carries (nil: a message the function sent).
    var uploadOfMessage: [Int: Int] = [:]
    /// Invocations in flight: their batch and their transport (which knows whether they crashed).
    var inFlight: [Int: (batch: [Int], transport: InvocationTransport)] = [:]
    var figures = Figures()
    /// With `Scenario.tags`: one check for the run, as a warm container keeps one.
    var cacheTagCheck: CacheTagCheck?

    init(_ scenario: Scenario) async throws {
        self.scenario = scenario
        clock = SimulatedClock(start: DeploySimulation.start)
        random = SeededRandom(seed: scenario.seed &* 0x2545_F491_4F6C_DD1D)
        aws = try AWSConfiguration(environment: DeploySimulation.environment)
        queue = SQSQueue(visibilityTimeout: scenario.visibilityTimeout, maxReceiveCount: scenario.maxReceiveCount)
        pollers = [EventSourceMapping.Poller](repeating: .init(), count: scenario.mapping.pollers)
        fakes = try await SimulationFakes(scenario, clock: clock, shared: shared)
        if scenario.tags != nil {
            cacheTagCheck = CacheTagCheck(
                cloudFront: try CloudFrontClient(
                    configuration: aws, transport: fakes.cloudFront.transport, clock: clock),
                settings: CacheTagSettings())
        }
        figures.lastUpload = scenario.deploy.lastUpload
        figures.lastArrival = (scenario.deploy.uploads.map(\.sent).max() ?? 0) + scenario.delaySeconds
    }

    /// Times on a microsecond grid, so that an event and the clock moved to it compare equal.
    func grid(_ seconds: Double) -> Double { (seconds * 1_000_000).rounded() / 1_000_000 }
    func time() -> Double { grid(clock.now().timeIntervalSince(DeploySimulation.start)) }

    func loop() async throws {
        while true {
            let now = time()
            guard now < scenario.limitSeconds else { break }
            sendDue(now)
            // Invocations waiting on the clock whose time has come, one at a time.
            while await clock.resumeNextDue() {}
            collectFinished()
            sendDue(now)
            try await poll(now)
            if !shared.finished.withLock({ $0.isEmpty }) || !shared.sent.withLock({ $0.isEmpty }) { continue }
            // Done: every upload sent, nothing left in the queue, nothing running.
            if nextUpload == scenario.deploy.uploads.count, queue.remaining == 0, invoking == 0 { break }
            guard let soonest = nextEvent(after: now) else { break }
            clock.advance(to: DeploySimulation.start.addingTimeInterval(soonest))
            if let wake = clock.nextWake, grid(wake.timeIntervalSince(DeploySimulation.start)) <= soonest {
                clock.advance(to: wake)
            }
        }
    }

    /// Uploads whose message is sent by now, and what the function sent to its queue.
    func sendDue(_ now: Double) {
        let uploads = scenario.deploy.uploads
        while nextUpload < uploads.count, uploads[nextUpload].sent <= now {
            let message = queue.send(
                id: Deploy.uuid(nextUpload, salt: 20), body: DeploySimulation.uploadBody(scenario.deploy, nextUpload),
                at: uploads[nextUpload].sent, delaySeconds: scenario.delaySeconds)
            uploadOfMessage[message] = nextUpload
            nextUpload += 1
        }
        for sent in shared.sent.withLock({ sent in
            defer { sent = [] }; return sent
        }) {
            figures.flushesSent += 1
            _ = queue.send(
                id: Deploy.uuid(figures.flushesSent, salt: 40), body: sent.body, at: grid(sent.time),
                delaySeconds: Double(sent.delaySeconds))
        }
    }

    /// Finished invocations: Lambda deletes what the answer did not name; named messages (all of them after an
    /// invocation error or a crash) stay invisible until their visibility timeout ends.
    func collectFinished() {
        let finished = shared.finished.withLock { finished in
            defer { finished = [] }
            return finished
        }
        for done in finished {
            guard let (batch, transport) = inFlight.removeValue(forKey: done.invocation) else { continue }
            let index = done.poller
            var failed = done.failed ?? Set(batch.map { queue.messages[$0].id })
            if transport.crashed {
                figures.crashes += 1
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
    }

    /// The pollers, in a seeded random order: SQS hands waiting messages to whichever receive comes first.
    func poll(_ now: Double) async throws {
        let mapping = scenario.mapping
        for index in pollers.indices.shuffled(using: &random) {
            guard !pollers[index].invoking else { continue }
            let gathering = pollers.filter { !$0.invoking && !$0.batch.isEmpty }.count
            // With MaximumConcurrency reached, a poller starts no new batch: messages stay in the queue.
            if pollers[index].batch.isEmpty, invoking + gathering >= mapping.maximumConcurrency { continue }
            if !pollers[index].isReady(mapping, at: now), queue.hasVisible(at: now) {
                let room = min(EventSourceMapping.receiveMaximum, mapping.batchSize - pollers[index].batch.count)
                let duplicate = scenario.chaos?.duplicate ?? 0
                for message in queue.receive(maximum: room, at: now, duplicate: duplicate, random: &random)
                where !pollers[index].batch.contains(message) {
                    if queue.messages[message].receiveCount > 1 { figures.redelivered += 1 }
                    pollers[index].batch.append(message)
                    pollers[index].bytes += queue.record(message, queueARN: DeploySimulation.queueARN).utf8.count + 1
                    if pollers[index].windowStart == nil { pollers[index].windowStart = now }
                }
            }
            guard pollers[index].isReady(mapping, at: now), invoking < mapping.maximumConcurrency else { continue }
            try await invoke(poller: index)
        }
    }

    /// The real handler on one poller's batch, its clients on the simulated clock, with seeded jitter.
    func invoke(poller index: Int) async throws {
        pollers[index].invoking = true
        invoking += 1
        invocationNumber += 1
        figures.invocations += 1
        let batch = pollers[index].batch
        let records = batch.map { queue.record($0, queueARN: DeploySimulation.queueARN) }
        let body = Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
        var crash: CrashPlan?
        if let chaos = scenario.chaos, Double.random(in: 0..<1, using: &random) < chaos.crash {
            crash = CrashPlan(
                call: Int.random(in: 1...chaos.crashWithinCalls, using: &random), afterWork: Bool.random(using: &random)
            )
        }
        let transport = InvocationTransport(routes: fakes.routes, shared: shared, crash: crash)
        inFlight[invocationNumber] = (batch, transport)
        let handler = try makeHandler(transport: transport, jitter: SeededJitter(seed: random.next()))
        let deadline = clock.now().addingTimeInterval(scenario.mapping.functionTimeout)
        let invocation = Invocation(
            requestId: "invocation-\(invocationNumber)",
            deadlineMilliseconds: Int64((deadline.timeIntervalSince1970 * 1000).rounded()), body: body)
        let number = invocationNumber
        let (shared, clock) = (self.shared, self.clock)
        await clock.runUntilBlocked {
            Task.detached {
                let result = await handler.handle(invocation, logger: Logger(write: { _ in }))
                var failed: Set<String>?
                if case .success(let answer) = result {
                    let items = (try? JSON.parse(answer))?["batchItemFailures"]?.array ?? []
                    failed = Set(items.compactMap { $0["itemIdentifier"]?.string })
                }
                shared.finished.withLock { $0.append((index, number, failed)) }
                clock.taskEnded()
            }
        }
    }

    func makeHandler(transport: any HTTPTransport, jitter: SeededJitter) throws -> InvalidationHandler {
        var handler = InvalidationHandler(
            resolver: DistributionResolver(ids: [DeploySimulation.distribution], map: nil, discovery: nil),
            planner: scenario.planner,
            cloudFront: try CloudFrontClient(
                configuration: aws, transport: transport, clock: clock, random: jitter.function),
            codePipeline: try CodePipelineClient(configuration: aws, transport: transport, clock: clock))
        handler.random = jitter.function
        if let tags = scenario.tags {
            handler.planner.tagRules = try TagRules(parsing: tags.rules)
            handler.cacheTagCheck = cacheTagCheck
        }
        if var settings = scenario.coalescing {
            settings.table = DeploySimulation.table
            handler.coalescer = Coalescer(
                settings: settings,
                dynamoDB: try DynamoDBClient(
                    configuration: aws, transport: transport, clock: clock, random: jitter.function),
                sqs: try SQSClient(configuration: aws, transport: transport, clock: clock, random: jitter.function))
        }
        return handler
    }

    /// The next moment something can happen.
    func nextEvent(after now: Double) -> Double? {
        var next: [Double] = []
        let uploads = scenario.deploy.uploads
        if nextUpload < uploads.count { next.append(uploads[nextUpload].sent) }
        if let wake = clock.nextWake { next.append(grid(wake.timeIntervalSince(DeploySimulation.start))) }
        if let visible = queue.nextVisible(after: now) { next.append(visible) }
        for poller in pollers where !poller.invoking && !poller.batch.isEmpty {
            if let windowStart = poller.windowStart { next.append(windowStart + scenario.mapping.batchingWindow) }
        }
        let canReceive = pollers.contains { !$0.invoking && $0.batch.count < scenario.mapping.batchSize }
        if canReceive, queue.hasVisible(at: now) { next.append(now + EventSourceMapping.receiveInterval) }
        return next.filter { $0 > now }.min()
    }
}

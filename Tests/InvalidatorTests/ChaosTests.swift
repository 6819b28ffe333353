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

/// Randomised runs of an SQS queue feeding the real handler, against the strict fake CloudFront on a virtual clock:
/// redeliveries, duplicate messages, concurrent invocations, throttling, in-progress limits and faults (5xx, resets,
/// slow and truncated answers). Every run asserts that no change is lost, that no change set is invalidated twice,
/// and that no AWS call is made at or after an invocation's deadline. `CHAOS_SEEDS=1,2,3` and `CHAOS_MESSAGES=N`
/// rerun chosen seeds at another size.
@Suite("Chaos")
struct ChaosTests {
    struct Figures: CustomStringConvertible {
        var seed: UInt64 = 0
        var messages = 0
        var invocations = 0
        var batches = 0
        var concurrentRounds = 0
        var duplicateDeliveries = 0
        var redeliveries = 0
        var faults = 0
        var throttled = 0
        var tooManyInProgress = 0
        var invalidations = 0
        var idempotentReplays = 0
        var lost = 0
        var duplicates = 0
        /// Messages invalidated again on a distribution after a hand-back caused by another distribution.
        var reinvalidated = 0
        /// Invalidations under a reference no plan of the batches gave.
        var unplanned = 0
        var lateCalls = 0
        var virtualSeconds = 0.0

        var description: String {
            "seed \(seed): \(messages) messages, \(batches) batches in \(invocations) invocations "
                + "(\(concurrentRounds) rounds concurrent), \(duplicateDeliveries) duplicate deliveries, "
                + "\(redeliveries) redeliveries, \(faults) faults injected, \(throttled) throttled, "
                + "\(tooManyInProgress) over the in-progress limits, \(invalidations) invalidations "
                + "(\(idempotentReplays) idempotent replays), lost \(lost), duplicates \(duplicates), unplanned \(unplanned), "
                + "re-invalidated after a partial hand-back \(reinvalidated), "
                + "calls after a deadline \(lateCalls), \(Int(virtualSeconds)) s of virtual time"
        }
    }

    /// A transport that notes every call made at or after the invocation's deadline.
    struct DeadlineWatch: HTTPTransport {
        let inner: any HTTPTransport
        let clock: VirtualClock
        let deadline: Date
        let late: Counter

        func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
            if clock.now() >= deadline { late.value.withLock { $0 += 1 } }
            return try await inner.send(request, timeout: timeout)
        }
    }

    final class Counter: Sendable {
        let value = Mutex(0)
    }

    struct Message {
        var id: String
        var body: String
        var keys: [String]
        var sent: Date
        /// What the function tells changes apart by: the message and its content. A producer's resent copy (a new
        /// message id, the same body) is a new change to it: it prefers invalidating twice to missing a change whose
        /// event carries weak identities (moto's EventBridge events share one id and one sequencer).
        var change: String { id + "\n" + body }
    }

    static var seeds: [UInt64] {
        if let list = ProcessInfo.processInfo.environment["CHAOS_SEEDS"] {
            return list.split(separator: ",").compactMap { UInt64($0) }
        }
        return Array(1...6)
    }

    @Test("nothing lost, nothing twice, no call after a deadline", arguments: seeds)
    func chaos(seed: UInt64) async throws {
        let size = ProcessInfo.processInfo.environment["CHAOS_MESSAGES"].flatMap { Int($0) } ?? 300
        let figures = try await Self.run(seed: seed, messages: size)
        print("chaos figures: \(figures)")
        #expect(figures.lost == 0, "\(figures)")
        #expect(figures.duplicates == 0, "\(figures)")
        #expect(figures.lateCalls == 0, "\(figures)")
        #expect(figures.unplanned == 0, "\(figures)")
        #expect(figures.faults > 0 && figures.redeliveries > 0, "the run must actually be hostile: \(figures)")
    }

    static func run(seed: UInt64, messages count: Int) async throws -> Figures {
        var random = SeededRandom(seed: seed)
        var figures = Figures()
        figures.seed = seed
        figures.messages = count
        let clock = VirtualClock()
        let start = clock.now()
        let cloudFront = try await FakeCloudFront.start(
            clock: clock, limits: .init(filePaths: 60, wildcardPaths: 15),
            rateLimit: .init(burst: 4, perSecond: 0.5))
        await cloudFront.addDistribution("E1")
        await cloudFront.addDistribution("E2")
        await cloudFront.completeInvalidations(after: .seconds(40))
        let faultRandom = Mutex(SeededRandom(seed: seed &* 31 &+ 7))
        await cloudFront.injectFaults { info in
            guard info.operation == "CreateInvalidation" else { return nil }
            let roll = faultRandom.withLock { Double.random(in: 0..<1, using: &$0) }
            switch roll {
            case ..<0.04: return .serviceUnavailable
            case ..<0.07: return .reset
            case ..<0.10: return .truncated
            case ..<0.13: return .slow(.seconds(15))
            case ..<0.15: return .throttling
            default: return nil
            }
        }

        // The messages: 1-3 keys each from a pool, so that changes repeat across messages.
        let pool = (0..<600).map { index in
            [
                "assets/app-\(index % 17).js", "docs/p\(index)/index.html", "img/\(index % 40).png",
                "a b/\(index)+x.css",
            ][
                index % 4]
        }
        var arriving: [Message] = (0..<count).map { index in
            let keys = (0..<Int.random(in: 1...3, using: &random)).map { _ in pool.randomElement(using: &random)! }
            let records = keys.enumerated().map { offset, key in
                "{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"site\"},\"object\":{\"key\":"
                    + "\(JSON.quote(ObjectKey.notificationForm(key))),\"sequencer\":\"\(index)-\(offset)\"}}}"
            }
            return Message(
                id: "m\(index)", body: "{\"Records\":[\(records.joined(separator: ","))]}", keys: keys,
                sent: clock.now())
        }
        // Messages arrive over the run, a few before each poll: a change counts as covered only by an invalidation
        // created after it arrived.
        var queue: [Message] = []
        var everyMessage: [Message] = []
        // Reference -> the changes (message id and body) it was planned from, per distribution.
        var changeSets: [String: Set<String>] = [:]
        let aws = try AWSConfiguration(environment: environment)
        let late = Counter()
        var rounds = 0
        while !queue.isEmpty || !arriving.isEmpty {
            rounds += 1
            guard rounds < 5000 else { break }
            // Time passes between polls, and new messages arrive.
            clock.advance(by: .milliseconds(Int64.random(in: 0...3000, using: &random)))
            for _ in 0..<min(arriving.count, Int.random(in: 0...12, using: &random)) {
                var message = arriving.removeFirst()
                message.sent = clock.now()
                queue.append(message)
                everyMessage.append(message)
            }
            let parallel = Int.random(in: 1...3, using: &random)
            if parallel > 1 { figures.concurrentRounds += 1 }
            var batches: [[Message]] = []
            for _ in 0..<parallel where !queue.isEmpty {
                let size = min(queue.count, Int.random(in: 1...10, using: &random))
                var batch = Array(queue.prefix(size))
                queue.removeFirst(size)
                // SQS is at-least-once: a message may come twice, in the same batch or in a concurrent one.
                if let again = batch.randomElement(using: &random), Double.random(in: 0..<1, using: &random) < 0.1 {
                    batch.append(again)
                    figures.duplicateDeliveries += 1
                }
                batches.append(batch)
            }
            if batches.count > 1, let shared = batches[0].first, Double.random(in: 0..<1, using: &random) < 0.3 {
                batches[1].append(shared)
                figures.duplicateDeliveries += 1
            }
            figures.batches += batches.count
            figures.invocations += batches.count
            let timeout = Double(Int.random(in: 20...60, using: &random))
            let jitter = SeededJitter(seed: random.next())

            for batch in batches {
                let event = sqsEvent(batch.map { (id: $0.id, body: $0.body) })
                let (plan, _) = await InvalidationHandler.plan(
                    EventDecoder.decode(event),
                    resolver: DistributionResolver(ids: ["E1", "E2"], map: nil, discovery: nil),
                    planner: PlannerSettings())
                for planned in plan.invalidations {
                    changeSets["\(planned.target.key) \(planned.callerReference)", default: []].formUnion(
                        batch.map(\.change))
                }
            }
            let results = try await withThrowingTaskGroup(of: (Int, InvocationResult).self) { group in
                for (index, batch) in batches.enumerated() {
                    let deadline = clock.now().addingTimeInterval(timeout)
                    let watch = DeadlineWatch(inner: cloudFront.transport, clock: clock, deadline: deadline, late: late)
                    var handler = InvalidationHandler(
                        resolver: DistributionResolver(ids: ["E1", "E2"], map: nil, discovery: nil),
                        planner: PlannerSettings(),
                        cloudFront: try CloudFrontClient(
                            configuration: aws, transport: watch, clock: clock, random: jitter.function),
                        codePipeline: try CodePipelineClient(configuration: aws, transport: watch, clock: clock))
                    handler.random = jitter.function
                    let event = sqsEvent(batch.map { (id: $0.id, body: $0.body) })
                    let invocation = Invocation(
                        requestId: "r\(rounds)-\(index)",
                        deadlineMilliseconds: Int64(deadline.timeIntervalSince1970 * 1000), body: event)
                    group.addTask { (index, await handler.handle(invocation, logger: Logger(write: { _ in }))) }
                }
                var all: [(Int, InvocationResult)] = []
                for try await result in group { all.append(result) }
                return all.sorted { $0.0 < $1.0 }
            }
            for (index, result) in results {
                let batch = batches[index]
                var failed: Set<String>
                switch result {
                case .success(let body):
                    let items = try JSON.parse(body)["batchItemFailures"]?.array ?? []
                    failed = Set(items.compactMap { $0["itemIdentifier"]?.string })
                case .failure:
                    failed = Set(batch.map(\.id))
                }
                // Each failed message goes back once (a duplicate delivery of it shares its receipt).
                var requeued = Set<String>()
                for message in batch where failed.contains(message.id) && requeued.insert(message.id).inserted {
                    queue.append(message)
                    figures.redeliveries += 1
                }
            }
            // Occasionally a message the producer sends again with the same content (a new id).
            if Double.random(in: 0..<1, using: &random) < 0.05, var copy = everyMessage.randomElement(using: &random) {
                copy.id += "-again-\(rounds)"
                copy.sent = clock.now()
                queue.append(copy)
                everyMessage.append(copy)
            }
        }

        let records = await cloudFront.invalidations
        let counters = await cloudFront.counters
        figures.faults = counters.faults
        figures.throttled = counters.throttled
        figures.tooManyInProgress = counters.tooManyInProgress
        figures.invalidations = records.count
        figures.idempotentReplays = counters.idempotentReplays
        figures.lateCalls = late.value.withLock { $0 }
        figures.virtualSeconds = clock.now().timeIntervalSince(start)
        figures.lost = queue.count + arriving.count
        // Covered: by an invalidation created after the message arrived, planned from a batch that held the message,
        // with a path that matches each of its keys (another message's invalidation of the same key does not count).
        for message in everyMessage {
            for key in message.keys {
                let path = CloudFrontPath.forKey(key)
                for distribution in ["E1", "E2"] {
                    let covered = records.contains { record in
                        record.distributionId == distribution && record.created >= message.sent
                            && changeSets["\(distribution) \(record.callerReference)"]?.contains(message.change) == true
                            && record.paths.contains { PathCollapser.covers($0, path) }
                    }
                    if !covered { figures.lost += 1 }
                }
            }
        }
        // A message handed back because one distribution failed comes again in another batch, and the distributions
        // that had succeeded invalidate its paths once more: SQS acknowledges a message, not a distribution. Counted,
        // not asserted: it costs paths, never freshness.
        var invalidationsPerMessage: [String: Set<String>] = [:]
        for record in records {
            for body in changeSets["\(record.distributionId) \(record.callerReference)"] ?? [] {
                invalidationsPerMessage["\(record.distributionId) \(body)", default: []].insert(record.id)
            }
        }
        figures.reinvalidated = invalidationsPerMessage.values.reduce(0) { $0 + max(0, $1.count - 1) }
        // Two invalidations whose references were planned from the same set of changes: a duplicate.
        var invalidationsPerChangeSet: [String: Set<String>] = [:]
        for record in records {
            guard let changes = changeSets["\(record.distributionId) \(record.callerReference)"] else {
                figures.unplanned += 1
                continue
            }
            invalidationsPerChangeSet["\(record.distributionId) \(changes.sorted())", default: []].insert(record.id)
        }
        figures.duplicates = invalidationsPerChangeSet.values.reduce(0) { $0 + max(0, $1.count - 1) }
        await cloudFront.shutdown()
        return figures
    }
}

import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import LocalAWS
import Synchronization

/// The strict fakes a simulated deploy runs against, with the scenario's faults injected from one seeded generator.
struct SimulationFakes {
    let cloudFront: FakeCloudFront
    let dynamoDB: FakeDynamoDB
    let sqs: FakeSQS
    /// Each service's transport, by the first label of its host.
    var routes: [String: any HTTPTransport] {
        ["cloudfront": cloudFront.transport, "dynamodb": dynamoDB.transport, "sqs": sqs.transport]
    }

    init(_ scenario: Scenario, clock: SimulatedClock, shared: SimulationShared) async throws {
        let settings = scenario.cloudFront
        cloudFront = FakeCloudFront.inProcess(
            clock: clock, limits: .init(filePaths: 3000, wildcardPaths: 15),
            rateLimit: .init(burst: settings.burst, perSecond: settings.ratePerSecond))
        await cloudFront.addDistribution(DeploySimulation.distribution)
        if let tags = scenario.tags {
            await Self.seed(cloudFront, tags: tags, uploaded: scenario.deploy.uploads.map(\.key))
        }
        await cloudFront.completeInvalidations(after: .milliseconds(Int64(settings.completion * 1000)))
        dynamoDB = FakeDynamoDB(clock: clock)
        await dynamoDB.createTable(DeploySimulation.table, partitionKey: "pk", sortKey: "sk")
        sqs = FakeSQS(clock: clock)
        await sqs.createQueue(url: DeploySimulation.queueURL)
        let start = DeploySimulation.start
        await sqs.onSend { message in
            shared.sent.withLock {
                $0.append((message.body, message.delaySeconds, message.time.timeIntervalSince(start)))
            }
        }
        if let chaos = scenario.chaos { await inject(chaos, seed: scenario.seed) }
    }

    /// The distribution's `CacheTagConfig`, and its edge cache holding every key's paths with the tags the rules give
    /// it.
    static func seed(_ cloudFront: FakeCloudFront, tags: Scenario.Tags, uploaded: [String]) async {
        await cloudFront.addDistribution(DeploySimulation.distribution, origins: [], cacheTagHeader: tags.header)
        let rules = (try? TagRules(parsing: tags.rules)) ?? TagRules()
        var seen = Set<String>()
        var objects: [EdgeCache.Object] = []
        for key in uploaded + tags.unchanged {
            let carried = rules.items(forKey: key).map { String($0.dropFirst()) }
            for path in CloudFrontPath.paths(forKey: key, indexDocument: "index.html") where seen.insert(path).inserted
            {
                objects.append(EdgeCache.Object(path: path, tags: carried))
            }
        }
        await cloudFront.seedEdgeCache(DeploySimulation.distribution, objects: objects)
    }

    func inject(_ chaos: Scenario.Chaos, seed: UInt64) async {
        let random = Mutex(SeededRandom(seed: seed ^ 0xC4A0_5EED))
        @Sendable func roll(_ probability: Double) -> Bool {
            probability > 0 && random.withLock { Double.random(in: 0..<1, using: &$0) } < probability
        }
        await dynamoDB.injectFaults { _ in
            if roll(chaos.dynamoDBThrottle) { return .provisionedThroughputExceeded }
            if roll(chaos.dynamoDBLostAnswer) { return .afterWork(.reset) }
            return nil
        }
        await sqs.injectFaults { _ in
            if roll(chaos.sqsFailure) { return .serviceUnavailable }
            if roll(chaos.sqsLostAnswer) { return .afterWork(.reset) }
            return nil
        }
        await cloudFront.injectFaults { _ in roll(chaos.cloudFrontFailure) ? .serviceUnavailable : nil }
    }

    func shutdown() async { await cloudFront.shutdown() }
}

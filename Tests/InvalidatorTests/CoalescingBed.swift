import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import LocalAWS
import Synchronization

/// The coalescing handler against the strict fakes (CloudFront, DynamoDB, SQS) in process, on a virtual clock:
/// batches go in as SQS events from one queue, and the flush messages the function sends come back as events when
/// their delay has passed.
struct CoalescingBed {
    static let queueARN = "arn:aws:sqs:eu-west-1:123456789012:site-changes"
    static let queueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/site-changes"
    static let table = "windows"
    static let distribution = "E1"

    let clock: VirtualClock
    let cloudFront: FakeCloudFront
    let dynamoDB: FakeDynamoDB
    let sqs: FakeSQS
    let log = RecordingLog()
    var handler: InvalidationHandler
    var settings: CoalesceSettings

    init(
        quietSeconds: Int = 20, maxDelaySeconds: Int = 300,
        transport wrap: ((any HTTPTransport) -> any HTTPTransport)? = nil
    )
        async throws
    {
        clock = VirtualClock(start: Date(timeIntervalSince1970: 1_795_341_600))
        cloudFront = try await FakeCloudFront.start(clock: clock)
        await cloudFront.addDistribution(Self.distribution)
        dynamoDB = FakeDynamoDB(clock: clock)
        await dynamoDB.createTable(Self.table, partitionKey: "pk", sortKey: "sk")
        sqs = FakeSQS(clock: clock)
        await sqs.createQueue(url: Self.queueURL)
        let routing = RoutingTransport([
            "cloudfront": cloudFront.transport, "dynamodb": dynamoDB.transport, "sqs": sqs.transport,
        ])
        let transport = wrap?(routing) ?? routing
        settings = CoalesceSettings(table: Self.table, quietSeconds: quietSeconds, maxDelaySeconds: maxDelaySeconds)
        handler = try strictHandler(cloudFront, ids: [Self.distribution], clock: clock, transport: transport)
        handler.coalescer = try Self.coalescer(settings, transport: transport, clock: clock)
    }

    static func coalescer(_ settings: CoalesceSettings, transport: any HTTPTransport, clock: VirtualClock) throws
        -> Coalescer
    {
        let aws = try AWSConfiguration(environment: environment)
        return Coalescer(
            settings: settings,
            dynamoDB: try DynamoDBClient(configuration: aws, transport: transport, clock: clock, random: { 1 }),
            sqs: try SQSClient(configuration: aws, transport: transport, clock: clock, random: { 1 }))
    }

    /// An SQS event from the bed's queue.
    static func event(_ messages: [(id: String, body: String)]) -> [UInt8] {
        let records = messages.map {
            "{\"messageId\":\"\($0.id)\",\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"\(queueARN)\","
                + "\"body\":\(JSON.quote($0.body))}"
        }
        return Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
    }

    /// One invocation with these messages; the ids named in `batchItemFailures` (nil: an invocation error).
    func invoke(_ messages: [(id: String, body: String)]) async -> [String]? {
        let result = await handler.handle(
            invocation(Self.event(messages), clock: clock, seconds: 60), logger: log.logger)
        guard case .success(let answer) = result else { return nil }
        let items = (try? JSON.parse(answer))?["batchItemFailures"]?.array ?? []
        return items.compactMap { $0["itemIdentifier"]?.string }
    }

    /// A batch of uploads, one message each.
    func upload(_ keys: [String], prefix: String = "m") async -> [String]? {
        await invoke(keys.enumerated().map { ("\(prefix)\($0.offset)", s3Body($0.element)) })
    }

    /// The flush messages sent so far, in order.
    func flushes() async -> [(body: String, visible: Date)] {
        await sqs.sent.map { ($0.body, $0.visibleAt) }
    }

    /// Moves the clock to when the `index`-th flush message becomes visible and delivers it.
    func deliverFlush(_ index: Int, id: String? = nil) async -> [String]? {
        let sent = await flushes()
        let flush = sent[index]
        let wait = flush.visible.timeIntervalSince(clock.now())
        if wait > 0 { clock.advance(by: .milliseconds(Int64(wait * 1000))) }
        return await invoke([(id ?? "flush-\(index)", flush.body)])
    }

    /// Delivers every flush message not yet delivered, in order of visibility, until none is left.
    func deliverAllFlushes(from first: Int = 0) async -> Int {
        var next = first
        while next < (await flushes()).count {
            _ = await deliverFlush(next)
            next += 1
        }
        return next
    }

    var invalidations: [FakeCloudFront.Record] {
        get async { await cloudFront.invalidations }
    }

    /// The table's items' sort keys.
    func keys() async -> [String] {
        await dynamoDB.items(in: Self.table).compactMap {
            if case .string(let key) = $0["sk"] { return key }
            return nil
        }.sorted()
    }
}

import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import LocalAWS
import Synchronization

/// One deploy through the queue, the event source mapping and the real handler, against the strict fakes
/// (CloudFront with its documented limits; DynamoDB and SQS for coalescing), on a simulated clock.
public enum DeploySimulation {
    static let environment = [
        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ]
    public static let distribution = "E2QWRUHAPOMQZL"
    public static let bucket = "my-site-bucket"
    static let queueARN = "arn:aws:sqs:us-east-1:123456789012:site-changes"
    static let queueURL = "https://sqs.us-east-1.amazonaws.com/123456789012/site-changes"
    public static let table = "invalidator-windows"
    static let start = Date(timeIntervalSince1970: 1_795_341_600)

    public static func run(_ scenario: Scenario) async throws -> Figures {
        let run = try await SimulationRun(scenario)
        try await run.loop()
        return await run.finish()
    }

    /// An EventBridge event's time (`2026-11-22T10:01:02Z`), seconds after 10:00 on the deploy's day.
    static func eventTime(_ seconds: Double) -> String {
        let whole = Int(seconds)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "2026-11-22T\(two(10 + whole / 3600)):\(two(whole / 60 % 60)):\(two(whole % 60))Z"
    }

    /// The SQS record of upload `index`, as the function receives it.
    static func uploadBody(_ deploy: Deploy, _ index: Int) -> String {
        let upload = deploy.uploads[index]
        return Deploy.eventBridgeBody(
            bucket: bucket, key: upload.key, index: index, time: eventTime(upload.finished))
    }

    /// The plan for the whole deploy as one batch: what coalescing aims for.
    public static func oneBatchPlan(deploy: Deploy) async -> (requests: Int, billablePaths: Int) {
        var queue = SQSQueue(visibilityTimeout: 600, maxReceiveCount: nil)
        let records = deploy.uploads.indices.map { index in
            let message = queue.send(
                id: Deploy.uuid(index, salt: 20), body: uploadBody(deploy, index), at: deploy.uploads[index].sent)
            return queue.record(message, queueARN: queueARN)
        }
        let event = Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
        let (plan, _) = await InvalidationHandler.plan(
            EventDecoder.decode(event), resolver: DistributionResolver(ids: [distribution], map: nil, discovery: nil),
            planner: PlannerSettings())
        return (plan.invalidations.count, plan.invalidations.reduce(0) { $0 + $1.paths.count })
    }
}

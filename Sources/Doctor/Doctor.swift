import AWSClient
import InvalidationCore
import Invalidator

/// What to check: a function (and everything its configuration and triggers name), or a bucket and distributions.
public struct DoctorTarget: Sendable, Equatable {
    public var functionName: String?
    public var buckets: [String]
    public var distributionIds: [String]

    public init(functionName: String? = nil, buckets: [String] = [], distributionIds: [String] = []) {
        self.functionName = functionName
        self.buckets = buckets
        self.distributionIds = distributionIds
    }
}

/// The read-only checks of a deployment behind `invalidator doctor`.
///
/// Every call is a read made with the operator's credentials, never the function's: what the function itself may
/// call is asked of IAM's policy simulator against its role. A check whose own call is denied is reported (naming
/// the permission) and the others still run; nothing here throws.
public struct Doctor: Sendable {
    /// The clients the checks call, one per service.
    public struct Clients: Sendable {
        public var lambda: LambdaClient
        public var s3: S3Client
        public var eventBridge: EventBridgeClient
        public var sqs: SQSClient
        public var dynamoDB: DynamoDBClient
        public var cloudFront: CloudFrontClient
        public var iam: IAMClient
        public var ssm: SSMClient

        public init(configuration: AWSConfiguration, transport: any HTTPTransport) throws(EndpointError) {
            lambda = try LambdaClient(configuration: configuration, transport: transport)
            s3 = try S3Client(configuration: configuration, transport: transport)
            eventBridge = try EventBridgeClient(configuration: configuration, transport: transport)
            sqs = try SQSClient(configuration: configuration, transport: transport)
            dynamoDB = try DynamoDBClient(configuration: configuration, transport: transport)
            cloudFront = try CloudFrontClient(configuration: configuration, transport: transport)
            iam = try IAMClient(configuration: configuration, transport: transport)
            ssm = try SSMClient(configuration: configuration, transport: transport)
        }
    }

    public let clients: Clients
    public let region: String

    public init(clients: Clients, region: String) {
        self.clients = clients
        self.region = region
    }

    public init(configuration: AWSConfiguration, transport: any HTTPTransport) throws(EndpointError) {
        self.init(
            clients: try Clients(configuration: configuration, transport: transport), region: configuration.region)
    }

    /// What the function part found, for the checks that follow it.
    struct FunctionFacts: Sendable {
        var function: LambdaFunctionConfiguration
        /// nil when its environment does not parse (a problem already reported).
        var configuration: Configuration?
        var reservedConcurrency: Int?
        /// The SQS queues its event source mappings read.
        var queueArns: [String] = []
    }

    /// Runs every check that applies to `target`.
    public func run(_ target: DoctorTarget) async -> DoctorReport {
        var findings: [Finding] = []
        var facts: FunctionFacts?
        if let name = target.functionName {
            let (functionFindings, found) = await checkFunction(name)
            findings += functionFindings
            facts = found
        }
        if var known = facts {
            let (mappingFindings, queues) = await checkEventSourceMappings(known)
            findings += mappingFindings
            known.queueArns = queues
            facts = known
        }
        let buckets = Self.buckets(target, configuration: facts?.configuration)
        findings += await checkBuckets(buckets, facts: facts)
        if let settings = facts?.configuration?.coalescing { findings += await checkCoalescingTable(settings) }
        let (distributionFindings, distributions) = await checkDistributions(target, buckets: buckets, facts: facts)
        findings += distributionFindings
        if let facts { findings += await checkPermissions(facts, distributions: distributions) }
        return DoctorReport(findings: findings)
    }

    /// `--bucket`, else the buckets the function's `DISTRIBUTION_MAP` names.
    static func buckets(_ target: DoctorTarget, configuration: Configuration?) -> [String] {
        if !target.buckets.isEmpty { return target.buckets }
        return (configuration?.map?.targets.keys).map { Array($0).sorted() } ?? []
    }

    /// `(partition, account)` of an ARN, nil for anything else.
    static func partitionAndAccount(_ arn: String) -> (partition: String, account: String)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[4].isEmpty else { return nil }
        return (String(parts[1]), String(parts[4]))
    }
}

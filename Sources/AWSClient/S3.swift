/// One notification of a bucket: where it goes and for which events.
public struct BucketNotificationTarget: Sendable, Equatable {
    public var id: String
    /// The function, queue or topic ARN.
    public var arn: String
    /// `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`…
    public var events: [String]

    public init(id: String, arn: String, events: [String]) {
        self.id = id
        self.arn = arn
        self.events = events
    }
}

/// A bucket's notification configuration (`GetBucketNotificationConfiguration`).
public struct BucketNotificationConfiguration: Sendable, Equatable {
    /// `EventBridgeConfiguration` is present: every event goes to the account's default event bus.
    public var eventBridgeEnabled: Bool
    public var functions: [BucketNotificationTarget]
    public var queues: [BucketNotificationTarget]
    public var topics: [BucketNotificationTarget]

    public init(
        eventBridgeEnabled: Bool, functions: [BucketNotificationTarget] = [], queues: [BucketNotificationTarget] = [],
        topics: [BucketNotificationTarget] = []
    ) {
        self.eventBridgeEnabled = eventBridgeEnabled
        self.functions = functions
        self.queues = queues
        self.topics = topics
    }
}

/// S3's REST-XML API (botocore's `s3/2006-03-01` model, signed as `s3`): the bucket's notification configuration.
///
/// Requests are path-style (`/{Bucket}?notification`) on the regional endpoint, which also serves an endpoint
/// override such as moto's; S3 requires the `x-amz-content-sha256` header on every SigV4 request, so it is sent and
/// signed. A bucket in another region answers `PermanentRedirect` (301), reported as such.
public struct S3Client: AWSServiceAPI {
    public static let service = AWSService.s3
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.restXML
    public let client: AWSServiceClient

    public init(client: AWSServiceClient) {
        self.client = client
    }
    /// The SHA-256 of an empty body, in hex: the payload hash of a GET.
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// `GET /{Bucket}?notification`.
    public func getBucketNotificationConfiguration(
        bucket: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> BucketNotificationConfiguration {
        let operation = "GetBucketNotificationConfiguration"
        let response = try await client.send(
            operation: operation, method: "GET", path: "/" + uriEncode(bucket, encodeSlash: true),
            query: [QueryItem("notification", "")],
            headers: [HTTPHeader("x-amz-content-sha256", Self.emptyPayloadHash)], context: context)
        // The root's name is not checked, as botocore does not check it: S3 answers <NotificationConfiguration>, and
        // moto 5.2 an empty <GetBucketNotificationResponse/> for a bucket without notifications.
        guard let root = try? XML.parse(response.body) else {
            throw AWSError(
                kind: .malformedResponse, code: "MalformedResponse",
                message: "response is not XML",
                statusCode: response.statusCode, requestId: response.requestId, service: "s3", operation: operation)
        }
        func targets(_ element: String, arn: String) -> [BucketNotificationTarget] {
            root.children(named: element).map {
                BucketNotificationTarget(
                    id: $0["Id"] ?? "", arn: $0[arn] ?? "", events: $0.children(named: "Event").map(\.text))
            }
        }
        return BucketNotificationConfiguration(
            eventBridgeEnabled: root.child("EventBridgeConfiguration") != nil,
            functions: targets("CloudFunctionConfiguration", arn: "CloudFunction"),
            queues: targets("QueueConfiguration", arn: "Queue"), topics: targets("TopicConfiguration", arn: "Topic"))
    }
}

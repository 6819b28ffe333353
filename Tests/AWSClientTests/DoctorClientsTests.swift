import AWSClient
import AWSTestSupport
import FoundationEssentials
import Testing

/// The reads `invalidator doctor` makes: the requests as botocore's models shape them, the answers as AWS documents
/// them (moto covers the same calls over HTTP in `DoctorMotoTests`).
@Suite("Doctor's clients: Lambda, S3, EventBridge, IAM, SQS and DynamoDB reads")
struct DoctorClientsTests {
    static let configuration = AWSConfiguration(
        region: "eu-west-1", credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret"),
        retryPolicy: .none)

    static func header(_ request: HTTPRequest, _ name: String) -> String? {
        request.headers.first { $0.name.lowercased() == name }?.value
    }

    @Test("S3: GET /{Bucket}?notification, path-style, x-amz-content-sha256 signed; EventBridge and each kind read")
    func bucketNotification() async throws {
        let transport = FakeTransport([
            .success(
                .text(
                    200,
                    """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                      <QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:eu-west-1:123456789012:q</Queue>\
                    <Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>
                      <CloudFunctionConfiguration><Id>f</Id>\
                    <CloudFunction>arn:aws:lambda:eu-west-1:123456789012:function:f</CloudFunction>\
                    <Event>s3:ObjectCreated:Put</Event></CloudFunctionConfiguration>
                      <EventBridgeConfiguration></EventBridgeConfiguration>
                    </NotificationConfiguration>
                    """)),
            .success(.text(200, #"<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#)),
        ])
        let s3 = try S3Client(configuration: Self.configuration, transport: transport)
        let configuration = try await s3.getBucketNotificationConfiguration(bucket: "site")
        #expect(configuration.eventBridgeEnabled)
        #expect(
            configuration.queues == [
                .init(
                    id: "q", arn: "arn:aws:sqs:eu-west-1:123456789012:q",
                    events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
            ])
        #expect(configuration.functions.map(\.events) == [["s3:ObjectCreated:Put"]])
        let request = try #require(transport.requests.first)
        #expect(request.origin == "https://s3.eu-west-1.amazonaws.com" && request.path == "/site")
        #expect(request.query == [QueryItem("notification", "")])
        #expect(Self.header(request, "x-amz-content-sha256") != nil)
        #expect(Self.header(request, "authorization")?.contains("/eu-west-1/s3/aws4_request") == true)
        #expect(try await s3.getBucketNotificationConfiguration(bucket: "site") == .init(eventBridgeEnabled: false))
    }

    @Test("Lambda: configuration, concurrency and mappings over REST-JSON; a missing function's error code")
    func lambda() async throws {
        let transport = FakeTransport([
            .success(
                .text(
                    200,
                    #"{"FunctionName":"inv","FunctionArn":"arn:aws:lambda:eu-west-1:123456789012:function:inv","Runtime":"provided.al2023","Handler":"bootstrap","Role":"arn:aws:iam::123456789012:role/r","Timeout":60,"MemorySize":128,"Environment":{"Variables":{"MAX_PATHS":"100"}},"State":"Active"}"#
                )),
            .success(.text(200, #"{"ReservedConcurrentExecutions":5}"#)),
            .success(
                .text(
                    200,
                    #"{"EventSourceMappings":[{"UUID":"u1","EventSourceArn":"arn:aws:sqs:eu-west-1:123456789012:q","FunctionArn":"f","State":"Enabled","BatchSize":10,"MaximumBatchingWindowInSeconds":5,"FunctionResponseTypes":["ReportBatchItemFailures"],"ScalingConfig":{"MaximumConcurrency":4}}],"NextMarker":"m2"}"#
                )),
            .success(.text(200, #"{"EventSourceMappings":[]}"#)),
            .success(
                .text(
                    404, #"{"Type":"User","Message":"Function not found"}"#,
                    headers: [HTTPHeader("x-amzn-errortype", "ResourceNotFoundException")])),
        ])
        let lambda = try LambdaClient(configuration: Self.configuration, transport: transport)
        let function = try await lambda.getFunctionConfiguration(name: "inv")
        #expect(function.runtime == "provided.al2023" && function.timeoutSeconds == 60 && function.memoryMB == 128)
        #expect(function.environment == ["MAX_PATHS": "100"] && function.role == "arn:aws:iam::123456789012:role/r")
        #expect(try await lambda.getFunctionConcurrency(name: "inv") == 5)
        let mappings = try await lambda.listEventSourceMappings(functionName: "inv")
        #expect(
            mappings.count == 1 && mappings[0].maximumConcurrency == 4
                && mappings[0].functionResponseTypes == ["ReportBatchItemFailures"])
        let requests = transport.requests
        #expect(requests[0].path == "/2015-03-31/functions/inv/configuration" && requests[0].method == "GET")
        #expect(requests[1].path == "/2019-09-30/functions/inv/concurrency")
        #expect(
            requests[2].path == "/2015-03-31/event-source-mappings"
                && requests[2].query == [QueryItem("FunctionName", "inv")])
        #expect(requests[3].query.contains(QueryItem("Marker", "m2")))
        await #expect(throws: AWSError.self) { _ = try await lambda.getFunctionConfiguration(name: "gone") }
    }

    @Test("EventBridge: AWSEvents targets over JSON 1.1, paged by NextToken")
    func eventBridge() async throws {
        let transport = FakeTransport([
            .success(.text(200, #"{"RuleNames":["a"],"NextToken":"t"}"#)),
            .success(.text(200, #"{"RuleNames":["b"]}"#)),
            .success(
                .text(
                    200,
                    #"{"Name":"a","Arn":"arn:aws:events:eu-west-1:1:rule/a","EventPattern":"{}","State":"ENABLED"}"#)),
        ])
        let events = try EventBridgeClient(configuration: Self.configuration, transport: transport)
        #expect(try await events.listRuleNamesByTarget(targetArn: "arn:q") == ["a", "b"])
        let rule = try await events.describeRule(name: "a")
        #expect(rule.state == "ENABLED" && rule.eventPattern == "{}")
        let first = transport.requests[0]
        #expect(first.origin == "https://events.eu-west-1.amazonaws.com")
        #expect(Self.header(first, "x-amz-target") == "AWSEvents.ListRuleNamesByTarget")
        #expect(Self.header(first, "content-type") == "application/x-amz-json-1.1")
        #expect(String(decoding: transport.requests[1].body, as: UTF8.self).contains(#""NextToken":"t""#))
    }

    @Test("IAM: SimulatePrincipalPolicy as a query form to the global endpoint signed for us-east-1")
    func iam() async throws {
        let transport = FakeTransport([
            .success(
                .text(
                    200,
                    """
                    <SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
                      <SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>
                        <member><EvalActionName>cloudfront:CreateInvalidation</EvalActionName>\
                    <EvalResourceName>arn:aws:cloudfront::1:distribution/E1</EvalResourceName>\
                    <EvalDecision>allowed</EvalDecision></member>
                        <member><EvalActionName>cloudfront:GetDistributionConfig</EvalActionName>\
                    <EvalResourceName>arn:aws:cloudfront::1:distribution/E1</EvalResourceName>\
                    <EvalDecision>implicitDeny</EvalDecision></member>
                      </EvaluationResults></SimulatePrincipalPolicyResult>
                      <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
                    </SimulatePrincipalPolicyResponse>
                    """))
        ])
        let iam = try IAMClient(configuration: Self.configuration, transport: transport)
        let results = try await iam.simulatePrincipalPolicy(
            policySourceArn: "arn:aws:iam::1:role/r",
            actions: ["cloudfront:CreateInvalidation", "cloudfront:GetDistributionConfig"],
            resources: ["arn:aws:cloudfront::1:distribution/E1"])
        #expect(results.map(\.isAllowed) == [true, false])
        let request = try #require(transport.requests.first)
        #expect(request.origin == "https://iam.amazonaws.com")
        #expect(Self.header(request, "authorization")?.contains("/us-east-1/iam/aws4_request") == true)
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(
            body.hasPrefix(
                "Action=SimulatePrincipalPolicy&Version=2010-05-08&PolicySourceArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"))
        #expect(body.contains("&ActionNames.member.2=cloudfront%3AGetDistributionConfig&ResourceArns.member.1="))
    }

    @Test("SQS GetQueueAttributes and DynamoDB DescribeTable / DescribeTimeToLive")
    func queueAndTable() async throws {
        let transport = FakeTransport([
            .success(.text(200, #"{"Attributes":{"VisibilityTimeout":"360","ApproximateNumberOfMessages":"2"}}"#)),
            .success(
                .text(
                    200,
                    #"{"Table":{"TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}}"#
                )),
            .success(
                .text(200, #"{"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"expires"}}"#)),
        ])
        let sqs = try SQSClient(configuration: Self.configuration, transport: transport)
        let attributes = try await sqs.getQueueAttributes(queueURL: "https://sqs.eu-west-1.amazonaws.com/1/q")
        #expect(attributes == ["VisibilityTimeout": "360", "ApproximateNumberOfMessages": "2"])
        #expect(String(decoding: transport.requests[0].body, as: UTF8.self).contains(#""AttributeNames":["All"]"#))
        let dynamo = try DynamoDBClient(configuration: Self.configuration, transport: transport)
        let table = try await dynamo.describeTable(table: "t")
        #expect(table.status == "ACTIVE" && table.keySchema.map(\.name) == ["pk", "sk"])
        let ttl = try await dynamo.describeTimeToLive(table: "t")
        #expect(ttl.status == "ENABLED" && ttl.attribute == "expires")
    }
}

import AWSClient
import Testing

@testable import Doctor

@Suite("doctor: the trigger")
struct TriggerChecksTests {
    static let functionArn = "arn:aws:lambda:us-east-1:123456789012:function:invalidator"
    static let queueArn = "arn:aws:sqs:us-east-1:123456789012:site-queue"

    static func mapping(state: String = "Enabled", types: [String] = ["ReportBatchItemFailures"], maximum: Int? = nil)
        -> EventSourceMapping
    {
        EventSourceMapping(
            uuid: "a1b2", eventSourceArn: queueArn, functionArn: functionArn, state: state, batchSize: 10,
            maximumBatchingWindowSeconds: 5, functionResponseTypes: types, maximumConcurrency: maximum)
    }

    @Test("an enabled mapping with ReportBatchItemFailures is ok")
    func healthyMapping() {
        let findings = Doctor.mappingFindings(Self.mapping(), reservedConcurrency: nil)
        #expect(findings.allSatisfy { $0.severity == .ok })
        #expect(findings.contains { $0.message == "batch size 10, window 5 s" })
    }

    @Test("a mapping without ReportBatchItemFailures is a problem whose fix turns it on")
    func withoutReportBatchItemFailures() throws {
        let findings = Doctor.mappingFindings(Self.mapping(types: []), reservedConcurrency: nil)
        let problem = try #require(findings.first { $0.severity == .problem })
        #expect(problem.message.contains("ReportBatchItemFailures"))
        #expect(
            problem.fix
                == "aws lambda update-event-source-mapping --uuid a1b2 --function-response-types ReportBatchItemFailures"
        )
    }

    @Test("a disabled mapping is a problem; a maximum concurrency above the reserved one a warning")
    func disabledAndConcurrency() {
        #expect(
            Doctor.mappingFindings(Self.mapping(state: "Disabled"), reservedConcurrency: nil).contains {
                $0.severity == .problem && $0.message.hasPrefix("Disabled")
            })
        #expect(
            Doctor.mappingFindings(Self.mapping(maximum: 10), reservedConcurrency: 4).contains {
                $0.severity == .warning && $0.message.contains("reserved concurrency 4")
            })
        #expect(
            Doctor.mappingFindings(Self.mapping(maximum: 4), reservedConcurrency: 4).allSatisfy { $0.severity == .ok })
    }

    @Test(
        "the visibility timeout must be at least 6x the function's timeout",
        arguments: [(359, Finding.Severity.problem), (360, .ok), (900, .ok)])
    func visibility(seconds: Int, expected: Finding.Severity) {
        let findings = Doctor.queueFindings(
            [
                "VisibilityTimeout": String(seconds),
                "RedrivePolicy": #"{"deadLetterTargetArn":"\#(Self.queueArn)-dlq","maxReceiveCount":5}"#,
            ],
            queueName: "site-queue", functionTimeout: 60)
        #expect(findings[0].severity == expected)
        #expect(findings[1].severity == .ok && findings[1].message == "dead-letter queue site-queue-dlq")
    }

    @Test("a queue without a dead-letter queue is a warning")
    func noDeadLetterQueue() {
        let findings = Doctor.queueFindings(["VisibilityTimeout": "360"], queueName: "q", functionTimeout: 60)
        #expect(findings[1].severity == .warning && findings[1].fix.contains("RedrivePolicy"))
        #expect(Doctor.deadLetterArn(["RedrivePolicy": "not json"]) == nil)
    }

    @Test("EventBridge on is ok; off with nothing reaching the function is a problem naming the fix")
    func notifications() throws {
        let on = Doctor.notificationFindings(
            .init(eventBridgeEnabled: true), bucket: "site", targets: [Self.functionArn])
        #expect(on.map(\.severity) == [.ok])
        let overwritten = BucketNotificationConfiguration(
            eventBridgeEnabled: false,
            queues: [
                .init(id: "other-team", arn: "arn:aws:sqs:us-east-1:123456789012:other", events: ["s3:ObjectCreated:*"])
            ])
        let finding = try #require(
            Doctor.notificationFindings(overwritten, bucket: "site", targets: [Self.functionArn, Self.queueArn]).first)
        #expect(finding.severity == .problem)
        #expect(finding.message.contains("overwritten"))
        #expect(finding.fix == "scripts/enable-bucket-notifications --bucket site --wiring eventbridge")
    }

    @Test("a direct notification must carry both created and removed events")
    func directNotification() {
        let both = BucketNotificationConfiguration(
            eventBridgeEnabled: false,
            functions: [.init(id: "inv", arn: Self.functionArn, events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])])
        #expect(Doctor.notificationFindings(both, bucket: "b", targets: [Self.functionArn]).map(\.severity) == [.ok])
        let createdOnly = BucketNotificationConfiguration(
            eventBridgeEnabled: false, queues: [.init(id: "q", arn: Self.queueArn, events: ["s3:ObjectCreated:Put"])])
        let findings = Doctor.notificationFindings(
            createdOnly, bucket: "b", targets: [Self.functionArn, Self.queueArn])
        #expect(findings.map(\.severity) == [.problem])
        #expect(findings[0].message.contains("s3:ObjectRemoved:*"))
    }

    @Test("a rule pattern covers a bucket's events as EventBridge would match them")
    func ruleCoverage() throws {
        let both =
            #"{"source":["aws.s3"],"detail-type":["Object Created","Object Deleted"],"detail":{"bucket":{"name":["site"]}}}"#
        let coverage = try #require(Doctor.ruleCoverage(both, bucket: "site"))
        #expect(coverage.created && coverage.deleted)
        #expect(Doctor.ruleCoverage(both, bucket: "other") == nil)
        let createdOnly = #"{"source":["aws.s3"],"detail-type":["Object Created"]}"#
        let partial = try #require(Doctor.ruleCoverage(createdOnly, bucket: "site"))
        #expect(partial.created && !partial.deleted)
        #expect(Doctor.ruleCoverage(#"{"source":["aws.ec2"]}"#, bucket: "site") == nil)
        #expect(
            Doctor.ruleCoverage(
                #"{"source":["aws.s3"],"detail":{"bucket":{"name":[{"prefix":"si"}]}}}"#, bucket: "site") != nil)
        #expect(Doctor.ruleCoverage(nil, bucket: "site") == nil)
    }

    @Test("no rule, or one type missing, is a problem")
    func ruleFindings() {
        #expect(Doctor.ruleFindings(check: "r", bucket: "b", created: [], deleted: []).map(\.severity) == [.problem])
        let partial = Doctor.ruleFindings(check: "r", bucket: "b", created: ["x"], deleted: [])
        #expect(partial.map(\.severity) == [.problem] && partial[0].message.contains("Object Deleted"))
        #expect(Doctor.ruleFindings(check: "r", bucket: "b", created: ["x"], deleted: ["x"]).map(\.severity) == [.ok])
    }

    @Test("the coalescing table needs pk HASH and sk RANGE")
    func table() {
        #expect(
            Doctor.tableFindings(check: "t", status: "ACTIVE", keys: [("pk", "HASH"), ("sk", "RANGE")]).map(\.severity)
                == [.ok])
        #expect(
            Doctor.tableFindings(check: "t", status: "ACTIVE", keys: [("id", "HASH")]).map(\.severity) == [.problem])
        #expect(
            Doctor.tableFindings(check: "t", status: "CREATING", keys: [("pk", "HASH"), ("sk", "RANGE")]).map(
                \.severity) == [.warning])
    }
}

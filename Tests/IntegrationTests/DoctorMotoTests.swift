import AWSClient
import Foundation
import JSONSupport
import LocalAWS
import Testing

@testable import Doctor

/// `invalidator doctor` against moto: the function's configuration and event source mappings, the queue's attributes,
/// the bucket's notifications, EventBridge rules, the coalescing table and the distributions are moto's answers.
/// Moto has no `SimulatePrincipalPolicy`, so IAM is FakeIAM here; and moto 5.2.1 does not echo a bucket's
/// `EventBridgeConfiguration`, so these deployments use the direct S3 to SQS notification, and the rules are checked
/// on their own (`AWSClientTests` reads a real S3 answer with EventBridge on).
@Suite("invalidator doctor against moto", .enabled(if: Moto.isAvailable))
struct DoctorMotoTests {
    /// A deployment in moto: bucket -> queue (dead-letter queue behind it) -> mapping -> function -> distribution.
    struct Deployment {
        var bucket: String
        var queueURL: String
        var queueArn: String
        var function: String
        var functionArn: String
        var role: String
        var distribution: String
        var mapping: String
    }

    static func deploy(
        environment: [String: String] = [:], originPath: String? = nil, visibilityTimeout: Int = 360,
        reportBatchItemFailures: Bool = true
    ) async throws -> Deployment {
        let bucket = Moto.unique("site")
        let wired = try await Moto.fixture("wire", "--route", "s3-sqs", "--bucket", bucket)
        let queueURL = try #require(wired["queueUrl"]?.string)
        let queueArn = try #require(wired["queueArn"]?.string)
        let distribution = try await Moto.fixture(
            "create-distribution", "--bucket", bucket, "--origin-path", originPath ?? "")
        let distributionId = try #require(distribution["id"]?.string)
        let dlq = try await Moto.fixture(
            "call", "--service", "sqs", "--operation", "create_queue",
            "--parameters", #"{"QueueName":"\#(bucket)-queue-dlq"}"#)
        _ = try #require(dlq["QueueUrl"]?.string)
        let redrive = #"{\"deadLetterTargetArn\":\"\#(queueArn)-dlq\",\"maxReceiveCount\":\"5\"}"#
        try await Moto.fixture(
            "call", "--service", "sqs", "--operation", "set_queue_attributes",
            "--parameters",
            #"{"QueueUrl":"\#(queueURL)","Attributes":{"VisibilityTimeout":"\#(visibilityTimeout)","RedrivePolicy":"\#(redrive)"}}"#
        )
        var variables = ["CLOUDFRONT_DISTRIBUTION_ID": distributionId]
        variables.merge(environment) { $1 }
        let name = Moto.unique("invalidator")
        let function = try await Moto.fixture(
            "create-function", "--name", name, "--timeout", "60",
            "--environment", JSON.serialize(.object(variables.mapValues { .string($0) })))
        let types = reportBatchItemFailures ? #","FunctionResponseTypes":["ReportBatchItemFailures"]"# : ""
        let mapping = try await Moto.fixture(
            "call", "--service", "lambda", "--operation", "create_event_source_mapping",
            "--parameters",
            #"{"FunctionName":"\#(name)","EventSourceArn":"\#(queueArn)","BatchSize":10,"MaximumBatchingWindowInSeconds":5\#(types)}"#
        )
        return Deployment(
            bucket: bucket, queueURL: queueURL, queueArn: queueArn, function: name,
            functionArn: try #require(function["functionArn"]?.string), role: try #require(function["roleArn"]?.string),
            distribution: distributionId, mapping: try #require(mapping["UUID"]?.string))
    }

    /// The doctor on moto, with IAM answered by FakeIAM (the role allowed whatever `statements` say).
    static func doctor(role: String, statements: [FakeIAM.Statement] = [.allow(["*"])]) async throws -> Doctor {
        let iam = FakeIAM()
        await iam.putRole(role, statements: statements)
        let configuration = AWSConfiguration(
            region: "us-east-1", credentials: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing"),
            environment: [
                "AWS_ENDPOINT_URL": try #require(Moto.endpoint), "AWS_ENDPOINT_URL_IAM": "http://iam.fake.invalid",
            ], retryPolicy: .none)
        return try Doctor(configuration: configuration, transport: IAMOnFake(iam: iam.transport))
    }

    /// Sends IAM's requests to the fake, everything else to moto.
    struct IAMOnFake: HTTPTransport {
        let iam: any HTTPTransport
        let real = HTTP1Transport()

        func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
            if request.origin.contains("iam.fake.invalid") { return try await iam.send(request, timeout: timeout) }
            return try await real.send(request, timeout: timeout)
        }
    }

    func problems(_ report: DoctorReport) -> [String] {
        report.findings.filter { $0.severity == .problem }.map { "\($0.area) \($0.check): \($0.message)" }
    }

    @Test("a sound deployment has no problem, and every part was read from moto")
    func sound() async throws {
        let deployment = try await Self.deploy()
        let doctor = try await Self.doctor(role: deployment.role)
        let report = await doctor.run(DoctorTarget(functionName: deployment.function, buckets: [deployment.bucket]))
        #expect(!report.hasProblem, "\(problems(report))")
        let checks = Set(report.findings.map(\.check))
        for check in [
            "runtime", "timeout", "environment", "reserved concurrency", "bucket \(deployment.bucket) notifications",
            "event source mapping \(deployment.bucket)-queue", "queue \(deployment.bucket)-queue",
            "dead-letter queue \(deployment.bucket)-queue-dlq", "origin", "in progress", "role",
        ] {
            #expect(checks.contains(check), "no \(check) in \(checks.sorted())")
        }
        #expect(report.findings.contains { $0.message.contains("sends created and removed objects") })
    }

    @Test("a notification overwritten by another deploy is a problem; restoring it mends it")
    func overwritten() async throws {
        let deployment = try await Self.deploy()
        let other =
            #"{"QueueConfigurations":[{"Id":"other-team","QueueArn":"\#(deployment.queueArn)-other","Events":["s3:ObjectCreated:*"]}]}"#
        try await Moto.fixture(
            "call", "--service", "sqs", "--operation", "create_queue",
            "--parameters", #"{"QueueName":"\#(deployment.bucket)-queue-other"}"#)
        try await Moto.fixture("put-notification-config", "--bucket", deployment.bucket, "--configuration", other)
        let doctor = try await Self.doctor(role: deployment.role)
        let target = DoctorTarget(functionName: deployment.function, buckets: [deployment.bucket])
        let broken = await doctor.run(target)
        let finding = try #require(broken.findings("trigger", "bucket \(deployment.bucket) notifications").first)
        #expect(finding.severity == .problem && finding.message.contains("overwritten"))
        #expect(finding.fix.contains("--wiring eventbridge"))
        let restored =
            #"{"QueueConfigurations":[{"Id":"invalidator","QueueArn":"\#(deployment.queueArn)","Events":["s3:ObjectCreated:*","s3:ObjectRemoved:*"]}]}"#
        try await Moto.fixture("put-notification-config", "--bucket", deployment.bucket, "--configuration", restored)
        #expect(!(await doctor.run(target)).hasProblem)
    }

    @Test("no notification at all (EventBridge never enabled) is a problem")
    func noNotification() async throws {
        let deployment = try await Self.deploy()
        try await Moto.fixture("put-notification-config", "--bucket", deployment.bucket, "--configuration", "{}")
        let report = await (try await Self.doctor(role: deployment.role))
            .run(DoctorTarget(functionName: deployment.function, buckets: [deployment.bucket]))
        let finding = try #require(report.findings("trigger", "bucket \(deployment.bucket) notifications").first)
        #expect(finding.severity == .problem && finding.message.hasPrefix("EventBridge off"))
    }

    @Test("a mapping without ReportBatchItemFailures and a short visibility timeout are problems, then mended")
    func mappingAndQueue() async throws {
        let deployment = try await Self.deploy(visibilityTimeout: 30, reportBatchItemFailures: false)
        let doctor = try await Self.doctor(role: deployment.role)
        let target = DoctorTarget(functionName: deployment.function, buckets: [deployment.bucket])
        let broken = problems(await doctor.run(target))
        #expect(broken.count == 2, "\(broken)")
        #expect(broken.contains { $0.contains("no ReportBatchItemFailures") })
        #expect(broken.contains { $0.contains("visibility timeout 30 s") })
        try await Moto.fixture(
            "call", "--service", "lambda", "--operation", "update_event_source_mapping",
            "--parameters", #"{"UUID":"\#(deployment.mapping)","FunctionResponseTypes":["ReportBatchItemFailures"]}"#)
        try await Moto.fixture(
            "call", "--service", "sqs", "--operation", "set_queue_attributes",
            "--parameters", #"{"QueueUrl":"\#(deployment.queueURL)","Attributes":{"VisibilityTimeout":"360"}}"#)
        let mended = await doctor.run(target)
        #expect(!mended.hasProblem, "\(problems(mended))")
    }

    @Test("an origin path that does not match KEY_PREFIX is a problem")
    func originPath() async throws {
        let deployment = try await Self.deploy(environment: ["KEY_PREFIX": "staging/"], originPath: "/production")
        let report = await (try await Self.doctor(role: deployment.role))
            .run(DoctorTarget(functionName: deployment.function, buckets: [deployment.bucket]))
        let finding = try #require(report.findings("distribution \(deployment.distribution)", "origin path").first)
        #expect(finding.severity == .problem)
        #expect(finding.fix.contains("KEY_PREFIX") && finding.fix.contains("production"))
    }

    @Test("a role without GetDistributionConfig while TAG_RULES is set is a problem naming the action")
    func roleWithoutGetDistributionConfig() async throws {
        let deployment = try await Self.deploy(environment: ["TAG_RULES": "*.html=html"])
        let doctor = try await Self.doctor(
            role: deployment.role,
            statements: [
                .allow(["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation", "cloudfront:ListInvalidations"]),
                .allow(["sqs:*"]),
            ])
        let report = await doctor.run(DoctorTarget(functionName: deployment.function, buckets: [deployment.bucket]))
        let denied = report.findings.filter { $0.area == "permissions" && $0.severity == .problem }
        #expect(denied.count == 1)
        #expect(denied.first?.message.contains("cloudfront:GetDistributionConfig") == true)
        // moto's distributions have no CacheTagConfig: tags would purge nothing there.
        let tags = try #require(report.findings("distribution \(deployment.distribution)", "cache tags").first)
        #expect(tags.severity == .warning && tags.message.contains("no CacheTagConfig"))
    }

    @Test("the coalescing table: present with TTL on expires is ok, missing is a problem")
    func coalescingTable() async throws {
        let table = Moto.unique("windows")
        try await Moto.fixture("create-table", "--name", table)
        let deployment = try await Self.deploy(environment: ["COALESCE_TABLE": table])
        let doctor = try await Self.doctor(role: deployment.role)
        let report = await doctor.run(DoctorTarget(functionName: deployment.function, buckets: [deployment.bucket]))
        let findings = report.findings("trigger", "coalescing table \(table)")
        #expect(findings.map(\.severity) == [.ok, .ok], "\(findings)")
        let missing = try await Self.deploy(environment: ["COALESCE_TABLE": Moto.unique("absent")])
        let broken = await doctor.run(DoctorTarget(functionName: missing.function, buckets: [missing.bucket]))
        #expect(broken.findings.contains { $0.check.hasPrefix("coalescing table") && $0.severity == .problem })
    }

    @Test("EventBridge rules: one sending both event types is ok; created only, or none, is a problem")
    func rules() async throws {
        let bucket = Moto.unique("site")
        let wired = try await Moto.fixture("wire", "--route", "s3-eventbridge-sqs", "--bucket", bucket)
        let queueArn = try #require(wired["queueArn"]?.string)
        let doctor = try await Self.doctor(role: "arn:aws:iam::123456789012:role/unused")
        #expect(await doctor.checkRules(bucket: bucket, targets: [queueArn]).map(\.severity) == [.ok])
        let createdOnly =
            #"{\"source\":[\"aws.s3\"],\"detail-type\":[\"Object Created\"],\"detail\":{\"bucket\":{\"name\":[\"\#(bucket)\"]}}}"#
        try await Moto.fixture(
            "call", "--service", "events", "--operation", "put_rule",
            "--parameters", #"{"Name":"\#(bucket)-rule","EventPattern":"\#(createdOnly)","State":"ENABLED"}"#)
        let partial = await doctor.checkRules(bucket: bucket, targets: [queueArn])
        #expect(partial.map(\.severity) == [.problem] && partial[0].message.contains("Object Deleted"))
        #expect(await doctor.checkRules(bucket: Moto.unique("none"), targets: [queueArn]).map(\.severity) == [.problem])
    }

    @Test("distributions as the function finds them: the SSM parameter read (missing: a problem), or discovery")
    func parameterAndDiscovery() async throws {
        let parameter = "/\(Moto.unique("doctor"))/distributions"
        let deployment = try await Self.deploy(environment: ["CF_DIST_ID_LABEL": parameter])
        let doctor = try await Self.doctor(role: deployment.role)
        // The deployment names its distribution in CLOUDFRONT_DISTRIBUTION_ID too, which wins: drop it.
        try await Moto.fixture(
            "call", "--service", "lambda", "--operation", "update_function_configuration",
            "--parameters",
            #"{"FunctionName":"\#(deployment.function)","Environment":{"Variables":{"CF_DIST_ID_LABEL":"\#(parameter)"}}}"#
        )
        let target = DoctorTarget(functionName: deployment.function, buckets: [deployment.bucket])
        let missing = await doctor.run(target)
        let absent = try #require(missing.findings("function", "SSM parameter \(parameter)").first)
        #expect(absent.severity == .problem && absent.message.contains("does not exist"))
        try await Moto.fixture("put-parameter", "--name", parameter, "--value", deployment.distribution, "--secure")
        let read = await doctor.run(target)
        #expect(
            read.findings("function", "SSM parameter \(parameter)").first?.message == "holds \(deployment.distribution)"
        )
        #expect(read.findings("distribution \(deployment.distribution)", "origin").first?.severity == .ok)
        #expect(!read.hasProblem, "\(problems(read))")
        try await Moto.fixture(
            "call", "--service", "lambda", "--operation", "update_function_configuration",
            "--parameters", #"{"FunctionName":"\#(deployment.function)","Environment":{"Variables":{}}}"#)
        let discovered = await doctor.run(target)
        #expect(discovered.findings("distribution \(deployment.distribution)", "origin").first?.severity == .ok)
        #expect(!discovered.hasProblem, "\(problems(discovered))")
    }

    @Test("invalidator doctor: lines with each fix and exit 1 on a problem; --json; exit 0 once mended")
    func command() async throws {
        let deployment = try await Self.deploy(reportBatchItemFailures: false)
        var environment = try Moto.functionEnvironment([:])
        environment.removeValue(forKey: "AWS_SESSION_TOKEN")
        let arguments = ["doctor", "--function-name", deployment.function, "--bucket", deployment.bucket]
        let broken = try await CLI.run(arguments, environment: environment)
        #expect(broken.status == 1, "\(broken.stderr)")
        #expect(broken.stdout.contains("problem  trigger"))
        #expect(broken.stdout.contains("fix: aws lambda update-event-source-mapping --uuid \(deployment.mapping)"))
        let json = try await CLI.run(arguments + ["--json"], environment: environment)
        let document = try JSON.parse(json.stdout)
        #expect(document["problems"]?.scalarText == "1")
        try await Moto.fixture(
            "call", "--service", "lambda", "--operation", "update_event_source_mapping",
            "--parameters", #"{"UUID":"\#(deployment.mapping)","FunctionResponseTypes":["ReportBatchItemFailures"]}"#)
        let mended = try await CLI.run(arguments, environment: environment)
        // moto has no SimulatePrincipalPolicy: the permissions are reported unchecked, a warning.
        #expect(mended.status == 0, "\(mended.stdout)")
        #expect(mended.stdout.contains("SimulatePrincipalPolicy"))
        let usage = try await CLI.run(["doctor"], environment: environment)
        #expect(usage.status == 64)
    }
}

import AWSClient
import AWSTestSupport
import Testing

@testable import Doctor

/// A bucket with EventBridge on, end to end through the doctor: moto 5.2.1 does not echo `EventBridgeConfiguration`,
/// so S3 and EventBridge answer here as their API references document them.
@Suite("doctor: EventBridge wiring")
struct EventBridgeWiringTests {
    static let queueArn = "arn:aws:sqs:us-east-1:123456789012:site-queue"
    static let functionArn = "arn:aws:lambda:us-east-1:123456789012:function:invalidator"

    static func facts() -> Doctor.FunctionFacts {
        var facts = Doctor.FunctionFacts(
            function: LambdaFunctionConfiguration(
                functionName: "invalidator", functionArn: functionArn, runtime: "provided.al2023",
                handler: "bootstrap", role: "arn:aws:iam::123456789012:role/r", timeoutSeconds: 60, memoryMB: 128,
                environment: [:]),
            configuration: nil)
        facts.queueArns = [queueArn]
        return facts
    }

    static func doctor(s3: FakeTransport, events: FakeTransport) throws -> Doctor {
        let configuration = AWSConfiguration(
            region: "us-east-1", credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s"),
            retryPolicy: .none)
        return try Doctor(configuration: configuration, transport: RoutingTransport(["s3": s3, "events": events]))
    }

    static let eventBridgeOn = HTTPResponse.text(
        200,
        #"<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EventBridgeConfiguration/></NotificationConfiguration>"#
    )

    static func rule(_ types: String, state: String = "ENABLED") -> HTTPResponse {
        let pattern =
            #"{\"source\":[\"aws.s3\"],\"detail-type\":[\#(types)],\"detail\":{\"bucket\":{\"name\":[\"site\"]}}}"#
        return .text(
            200,
            #"{"Name":"site-rule","Arn":"arn:aws:events:us-east-1:123456789012:rule/site-rule","EventPattern":"\#(pattern)","State":"\#(state)"}"#
        )
    }

    @Test("EventBridge on and a rule for both event types to the queue: ok, and the rules of both targets asked")
    func sound() async throws {
        let events = FakeTransport([
            .success(.text(200, #"{"RuleNames":[]}"#)),
            .success(.text(200, #"{"RuleNames":["site-rule"]}"#)),
            .success(Self.rule(#"\"Object Created\",\"Object Deleted\""#)),
        ])
        let doctor = try Self.doctor(s3: FakeTransport([.success(Self.eventBridgeOn)]), events: events)
        let findings = await doctor.checkBuckets(["site"], facts: Self.facts())
        #expect(findings.map(\.severity) == [.ok, .ok], "\(findings)")
        #expect(findings[1].message.contains("site-rule"))
        let bodies = events.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(bodies[0].contains(Self.functionArn) && bodies[1].contains(Self.queueArn))
    }

    @Test("EventBridge on but the rule is disabled, or matches Object Created only: problems naming the fix")
    func broken() async throws {
        let disabled = FakeTransport([
            .success(.text(200, #"{"RuleNames":[]}"#)), .success(.text(200, #"{"RuleNames":["site-rule"]}"#)),
            .success(Self.rule(#"\"Object Created\",\"Object Deleted\""#, state: "DISABLED")),
        ])
        let off = await (try Self.doctor(s3: FakeTransport([.success(Self.eventBridgeOn)]), events: disabled))
            .checkBuckets(["site"], facts: Self.facts())
        #expect(off.contains { $0.severity == .problem && $0.fix == "aws events enable-rule --name site-rule" })
        let createdOnly = FakeTransport([
            .success(.text(200, #"{"RuleNames":[]}"#)), .success(.text(200, #"{"RuleNames":["site-rule"]}"#)),
            .success(Self.rule(#"\"Object Created\""#)),
        ])
        let partial = await (try Self.doctor(s3: FakeTransport([.success(Self.eventBridgeOn)]), events: createdOnly))
            .checkBuckets(["site"], facts: Self.facts())
        #expect(partial.last?.severity == .problem && partial.last?.message.contains("Object Deleted") == true)
    }

    @Test("the doctor denied ListRuleNamesByTarget: a warning naming events:ListRuleNamesByTarget")
    func denied() async throws {
        let events = FakeTransport([
            .success(
                .text(
                    400, #"{"__type":"AccessDeniedException","message":"not authorized"}"#,
                    headers: [HTTPHeader("content-type", "application/x-amz-json-1.1")]))
        ])
        let findings = await (try Self.doctor(s3: FakeTransport([.success(Self.eventBridgeOn)]), events: events))
            .checkBuckets(["site"], facts: Self.facts())
        #expect(findings.last?.severity == .warning)
        #expect(findings.last?.message.contains("events:ListRuleNamesByTarget") == true)
    }
}

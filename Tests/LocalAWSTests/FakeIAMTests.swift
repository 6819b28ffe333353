import AWSClient
import Testing

@testable import LocalAWS

/// FakeIAM's `SimulatePrincipalPolicy`: IAM's evaluation for identity statements, and the strictness of its model.
@Suite("FakeIAM")
struct FakeIAMTests {
    static let role = "arn:aws:iam::123456789012:role/invalidator"

    static func client(_ iam: FakeIAM, keyId: String = "AKIDOPERATOR") throws -> IAMClient {
        try IAMClient(
            configuration: AWSConfiguration(
                region: "eu-west-1", credentials: AWSCredentials(accessKeyId: keyId, secretAccessKey: "s"),
                retryPolicy: .none),
            transport: iam.transport)
    }

    @Test("an explicit deny wins over an allow; nothing matching is an implicit deny; globs as IAM's")
    func evaluation() async throws {
        let iam = FakeIAM()
        await iam.putRole(
            Self.role,
            statements: [
                .allow(["cloudfront:*"], on: ["arn:aws:cloudfront::123456789012:distribution/*"]),
                .deny(["cloudfront:CreateInvalidation"], on: ["arn:aws:cloudfront::123456789012:distribution/E1DENY"]),
            ])
        let results = try await Self.client(iam).simulatePrincipalPolicy(
            policySourceArn: Self.role, actions: ["CloudFront:CreateInvalidation", "ssm:GetParameter"],
            resources: [
                "arn:aws:cloudfront::123456789012:distribution/E1OK",
                "arn:aws:cloudfront::123456789012:distribution/E1DENY",
            ])
        #expect(results.map(\.decision) == ["allowed", "explicitDeny", "implicitDeny", "implicitDeny"])
        #expect(FakeIAM.glob("a?c*", "abcdef") && !FakeIAM.glob("a?c", "abcd") && FakeIAM.glob("*", ""))
    }

    @Test("an unknown role is NoSuchEntity, a denied caller AccessDenied, a parameter it does not model refused")
    func refusals() async throws {
        let iam = FakeIAM()
        await iam.denyCaller("AKIDDENIED")
        await #expect {
            _ = try await Self.client(iam).simulatePrincipalPolicy(
                policySourceArn: Self.role, actions: ["s3:GetObject"], resources: [])
        } throws: {
            ($0 as? AWSError)?.code == "NoSuchEntity" && ($0 as? AWSError)?.statusCode == 404
        }
        await iam.putRole(Self.role, statements: [.allow(["*"])])
        await #expect {
            _ = try await Self.client(iam, keyId: "AKIDDENIED").simulatePrincipalPolicy(
                policySourceArn: Self.role, actions: ["s3:GetObject"], resources: [])
        } throws: {
            ($0 as? AWSError)?.code == "AccessDenied"
        }
        #expect(throws: (any Error).self) {
            try FakeIAM.parameters([
                "PolicySourceArn": Self.role, "ActionNames.member.1": "s3:GetObject", "CallerArn": "x",
            ])
        }
        #expect(throws: (any Error).self) {
            try FakeIAM.parameters(["PolicySourceArn": Self.role, "ActionNames.member.2": "s3:GetObject"])
        }
        #expect(throws: (any Error).self) { try FakeIAM.parameters(["PolicySourceArn": Self.role]) }
        let parsed = try FakeIAM.parameters(["PolicySourceArn": Self.role, "ActionNames.member.1": "s3:GetObject"])
        #expect(parsed.resources == ["*"])
    }
}

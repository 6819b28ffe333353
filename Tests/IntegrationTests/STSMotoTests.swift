import AWSClient
import Foundation
import Testing

/// The STS client over real HTTP against moto: what moto's query protocol answers (its XML, its timestamps), beyond
/// the scripted answers of `AWSClientTests`. moto does not enforce trust policies or external ids; `FakeSTS` does.
@Suite("STS client against moto", .enabled(if: Moto.isAvailable))
struct STSMotoTests {
    static let caller = AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")

    func sts() throws -> STSClient {
        let configuration = AWSConfiguration(
            region: "us-east-1", credentials: Self.caller,
            environment: ["AWS_ENDPOINT_URL_STS": try #require(Moto.endpoint)], retryPolicy: .none)
        return try STSClient(configuration: configuration, transport: HTTP1Transport())
    }

    @Test("AssumeRole of a role created in moto: credentials that parse, differ from the caller's, end in 900 s")
    func assumeRole() async throws {
        let name = Moto.unique("cdn-invalidator")
        let role = try await Moto.fixture("create-role", "--name", name, "--external-id", "tenant-1")
        let arn = try #require(role["arn"]?.string)
        let roleId = try #require(role["roleId"]?.string)
        let before = Date()
        let assumed = try await sts().assumeRole(
            AssumeRoleRequest(roleArn: arn, roleSessionName: "fn-moto", externalId: "tenant-1", durationSeconds: 900))
        #expect(assumed.roleArn == arn)
        let credentials = assumed.credentials
        #expect(credentials.accessKeyId.hasPrefix("ASIA") && credentials.accessKeyId != Self.caller.accessKeyId)
        #expect(!credentials.secretAccessKey.isEmpty && credentials.secretAccessKey != Self.caller.secretAccessKey)
        #expect(credentials.sessionToken?.isEmpty == false)
        #expect(abs(assumed.expiration.timeIntervalSince(before) - 900) < 60, "\(assumed.expiration)")
        #expect(assumed.assumedRoleArn == "arn:aws:sts::123456789012:assumed-role/\(name)/fn-moto")
        #expect(assumed.assumedRoleId == "\(roleId):fn-moto")

        let cache = RoleCredentialsCache(sts: try sts())
        let first = try await cache.credentials(roleArn: arn, externalId: "tenant-1", sessionName: "fn-1")
        let second = try await cache.credentials(roleArn: arn, externalId: "tenant-1", sessionName: "fn-2")
        #expect(first == second && first.accessKeyId != credentials.accessKeyId)
        #expect(await cache.assumeRoleCalls == 1)
    }
}

import AWSClient
import AWSTestSupport
import FoundationEssentials
import Testing

@testable import LocalAWS

/// The fake STS's AssumeRole: trust, external ids, parameters, signatures and expiring credentials, through the real
/// `STSClient` where it can send the request, by a hand-signed form where the client would refuse it first.
@Suite("FakeSTS")
struct FakeSTSTests {
    static let role = "arn:aws:iam::111122223333:role/cdn/invalidator"
    static let caller = AWSCredentials(accessKeyId: "AKIAFUNCTIONROLE0001", secretAccessKey: "caller-secret")
    let clock = VirtualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
    let sts: FakeSTS

    init() async {
        sts = FakeSTS(clock: clock, region: "eu-west-1")
        await sts.createRole(arn: Self.role, trustedAccessKeyIds: [Self.caller.accessKeyId])
    }

    func client(_ credentials: AWSCredentials = caller, region: String = "eu-west-1") throws -> STSClient {
        try STSClient(
            configuration: AWSConfiguration(region: region, credentials: credentials, retryPolicy: .none),
            transport: sts.transport, clock: clock)
    }

    func assume(
        _ role: String = role, externalId: String? = nil, duration: Int? = nil, as credentials: AWSCredentials = caller
    ) async throws -> AssumedRole {
        try await client(credentials).assumeRole(
            AssumeRoleRequest(roleArn: role, roleSessionName: "fn-1", externalId: externalId, durationSeconds: duration)
        )
    }

    /// The error a form (signed, as the client signs) is answered with; nil for a success.
    func refusal(_ form: String, credentials: AWSCredentials = caller) async throws -> AWSError? {
        do {
            _ = try await client(credentials).client.send(
                operation: "AssumeRole", method: "POST", path: "/",
                headers: [HTTPHeader("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
                body: Array(form.utf8))
            return nil
        } catch let error as AWSError {
            return error
        }
    }

    @Test("a trusted caller gets fresh ASIA credentials expiring DurationSeconds (default 3600) from now")
    func issues() async throws {
        let first = try await assume()
        clock.advance(by: .seconds(10))
        let second = try await assume(duration: 900)
        #expect(first.credentials.accessKeyId.hasPrefix("ASIA") && first.credentials.accessKeyId.count == 20)
        #expect(first.credentials.secretAccessKey.count == 40 && (first.credentials.sessionToken?.count ?? 0) > 100)
        #expect(first.credentials.accessKeyId != second.credentials.accessKeyId)
        #expect(first.credentials.secretAccessKey != second.credentials.secretAccessKey)
        #expect(first.expiration == Date(timeIntervalSince1970: 1_800_003_600))
        #expect(second.expiration == Date(timeIntervalSince1970: 1_800_000_910))
        #expect(first.assumedRoleArn == "arn:aws:sts::111122223333:assumed-role/invalidator/fn-1")
        #expect(first.assumedRoleId.hasPrefix("AROA") && first.assumedRoleId.hasSuffix(":fn-1"))
        let issued = await sts.issued
        #expect(issued.map(\.credentials) == [first.credentials, second.credentials])
        #expect(issued.allSatisfy { $0.roleArn == Self.role && $0.callerAccessKeyId == Self.caller.accessKeyId })
        #expect(await sts.issued(accessKeyId: second.credentials.accessKeyId)?.expiration == second.expiration)
        #expect(await sts.issued(accessKeyId: Self.caller.accessKeyId) == nil)
        #expect(await sts.counters.issued == 2)
    }

    @Test("AccessDenied (403) for an untrusted caller, an unknown role, a missing or wrong external id")
    func accessDenied() async throws {
        let guarded = "arn:aws:iam::111122223333:role/guarded"
        await sts.createRole(arn: guarded, trustedAccessKeyIds: [Self.caller.accessKeyId], externalId: "tenant-7")
        let stranger = AWSCredentials(accessKeyId: "AKIASTRANGER00000001", secretAccessKey: "s")
        let attempts: [(String, String?, AWSCredentials)] = [
            (Self.role, nil, stranger), ("arn:aws:iam::111122223333:role/missing", nil, Self.caller),
            (guarded, nil, Self.caller), (guarded, "tenant-8", Self.caller),
        ]
        for (role, externalId, credentials) in attempts {
            await #expect {
                try await assume(role, externalId: externalId, as: credentials)
            } throws: { error in
                guard let error = error as? AWSError else { return false }
                return error.code == "AccessDenied" && error.statusCode == 403
                    && error.message.contains("is not authorized to perform: sts:AssumeRole on resource: \(role)")
                    && error.requestId?.isEmpty == false
            }
        }
        #expect(try await assume(guarded, externalId: "tenant-7").credentials.accessKeyId.hasPrefix("ASIA"))
        #expect(try await assume(externalId: "not-required").credentials.accessKeyId.hasPrefix("ASIA"))
        let counters = await sts.counters
        #expect(counters.accessDenied == 4 && counters.issued == 2)
    }

    @Test(
        "ValidationError for parameters outside the model's constraints or the role's session limit",
        arguments: [
            "RoleSessionName=fn", "RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Auser%2Fx&RoleSessionName=fn",
            "RoleArn=\(role)&RoleSessionName=f", "RoleArn=\(role)", "RoleArn=\(role)&RoleSessionName=a%2Fb",
            "RoleArn=\(role)&RoleSessionName=fn&ExternalId=x", "RoleArn=\(role)&RoleSessionName=fn&ExternalId=a+b",
            "RoleArn=\(role)&RoleSessionName=fn&DurationSeconds=899",
            "RoleArn=\(role)&RoleSessionName=fn&DurationSeconds=43201",
            "RoleArn=\(role)&RoleSessionName=fn&DurationSeconds=1h",
            "RoleArn=\(role)&RoleSessionName=fn&DurationSeconds=7200",
            "RoleArn=\(role)&RoleSessionName=fn&Policy=%7B%7D",
        ])
    func validation(_ parameters: String) async throws {
        let error = try #require(await refusal("Action=AssumeRole&Version=2011-06-15&" + parameters))
        #expect(error.code == "ValidationError" && error.statusCode == 400, "\(error)")
        let counters = await sts.counters
        #expect(await sts.issued.isEmpty && counters.validationErrors == 1)
    }

    @Test("a role allowing longer sessions issues them; the limits themselves are accepted")
    func longSessions() async throws {
        let long = "arn:aws:iam::111122223333:role/long"
        await sts.createRole(arn: long, trustedAccessKeyIds: [Self.caller.accessKeyId], maximumSessionDuration: 43200)
        #expect(try await assume(long, duration: 43200).expiration == Date(timeIntervalSince1970: 1_800_043_200))
        #expect(try await assume(duration: 3600).expiration == Date(timeIntervalSince1970: 1_800_003_600))
        #expect(try await assume(externalId: String(repeating: "e", count: 1224)).credentials.sessionToken != nil)
    }

    /// A request sent as is, and the code of its error answer (nil for a success).
    func rawCode(method: String = "POST", authorization: String?, body: String) async throws -> (Int, String?) {
        var headers = [HTTPHeader("content-type", "application/x-www-form-urlencoded")]
        if let authorization { headers.append(HTTPHeader("authorization", authorization)) }
        let response = try await sts.transport.send(
            HTTPRequest(
                method: method, origin: "https://sts.eu-west-1.amazonaws.com", path: "/", headers: headers,
                body: Array(body.utf8)),
            timeout: .seconds(1))
        let root = try XML.parse(response.body)
        return (response.statusCode, root.child("Error")?["Code"])
    }

    @Test("unsigned, signed for another service or region, another action or version, not a form: refused")
    func refusedRequests() async throws {
        let form = "Action=AssumeRole&Version=2011-06-15&RoleArn=\(Self.role)&RoleSessionName=fn"
        let scope = { (region: String, service: String) in
            "AWS4-HMAC-SHA256 Credential=\(Self.caller.accessKeyId)/20270115/\(region)/\(service)/aws4_request, "
                + "SignedHeaders=host, Signature=00"
        }
        #expect(try await rawCode(authorization: nil, body: form) == (403, "MissingAuthenticationToken"))
        #expect(try await rawCode(authorization: "Bearer x", body: form) == (403, "IncompleteSignature"))
        #expect(
            try await rawCode(authorization: scope("eu-west-1", "s3"), body: form) == (403, "SignatureDoesNotMatch"))
        #expect(
            try await rawCode(authorization: scope("us-east-1", "sts"), body: form) == (403, "SignatureDoesNotMatch"))
        #expect(try await rawCode(authorization: scope("eu-west-1", "sts"), body: form).0 == 200)
        #expect(
            try await rawCode(method: "GET", authorization: scope("eu-west-1", "sts"), body: form)
                == (400, "MissingAction"))
        #expect(try await refusal("Action=GetCallerIdentity&Version=2011-06-15")?.code == "InvalidAction")
        #expect(try await refusal("Action=AssumeRole&Version=2011-06-16")?.code == "InvalidAction")
        #expect(try await refusal("Action=AssumeRole&Action=AssumeRole&Version=2011-06-15")?.code == "MissingAction")
        await #expect {
            try await client(region: "us-east-1").assumeRole(
                AssumeRoleRequest(roleArn: Self.role, roleSessionName: "fn"))
        } throws: { ($0 as? AWSError)?.code == "SignatureDoesNotMatch" }
        let counters = await sts.counters
        #expect(counters.rejected == 9 && counters.issued == 1)
    }

    @Test("issued credentials sign calls while they last: their token is required, then they expire")
    func chainingAndExpiry() async throws {
        let first = try await assume()
        let next = "arn:aws:iam::444455556666:role/next"
        await sts.createRole(arn: next, trustedAccessKeyIds: [first.credentials.accessKeyId])
        clock.advance(by: .seconds(1800))
        let chained = try await assume(next, as: first.credentials)
        #expect(
            await sts.issued(accessKeyId: chained.credentials.accessKeyId)?.callerAccessKeyId
                == first.credentials.accessKeyId)
        var tokenless = first.credentials
        tokenless.sessionToken = nil
        await #expect { try await assume(next, as: tokenless) } throws: {
            ($0 as? AWSError)?.code == "InvalidClientTokenId"
        }
        clock.advance(by: .seconds(1800))
        await #expect { try await assume(next, as: first.credentials) } throws: {
            ($0 as? AWSError)?.code == "ExpiredToken" && ($0 as? AWSError)?.statusCode == 403
        }
        await #expect { try await assume(as: chained.credentials) } throws: {
            ($0 as? AWSError)?.message.contains("assumed-role/next/fn-1") == true
        }

        // The fake's refusals of issued credentials name the key id or the principal, never the secret or token.
        var texts: [String] = []
        for credentials in [first.credentials, tokenless, chained.credentials] {
            do {
                _ = try await assume(next, as: credentials)
            } catch let error as AWSError {
                texts += ["\(error)", String(reflecting: error)]
            }
        }
        #expect(texts.count == 6)
        for text in texts {
            for issued in [first.credentials, chained.credentials] {
                #expect(!text.contains(issued.secretAccessKey) && !text.contains(issued.sessionToken ?? "-"), "\(text)")
            }
        }
    }

    @Test("faults: an error answer issues nothing; afterWork issues and loses the answer")
    func faults() async throws {
        await sts.injectFaults { info in
            info.callerAccessKeyId == Self.caller.accessKeyId && info.roleArn == Self.role
                ? .answer(status: 400, code: "Throttling", message: "Rate exceeded") : nil
        }
        await #expect { try await assume() } throws: { ($0 as? AWSError)?.isThrottling == true }
        #expect(await sts.issued.isEmpty)
        await sts.injectFaults { _ in .afterWork(.reset) }
        await #expect { try await assume() } throws: { ($0 as? AWSError)?.kind == .transport }
        let counters = await sts.counters
        #expect(await sts.issued.count == 1 && counters.faults == 2)
        await sts.injectFaults(nil)
        #expect(try await assume().credentials.accessKeyId.hasPrefix("ASIA"))
    }
}

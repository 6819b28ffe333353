import AWSClient
import AWSTestSupport
import FoundationEssentials
import Testing

/// STS `AssumeRole` over the query protocol: the form sent, the XML read, the checks before sending, the errors.
@Suite("STS")
struct STSTests {
    static let role = "arn:aws:iam::111122223333:role/cdn/invalidator-target"
    static let secret = "sTsSecretKeyThatMustNeverBeLogged0123456789"
    static let token = "FwoGZXIvYXdzEJr//////////wEaDSessionTokenThatMustNeverBeLogged"

    /// An answer shaped as the STS API reference's example (namespace, `ResponseMetadata`).
    static func answer(
        keyId: String = "ASIAIOSFODNN7EXAMPLE", expiration: String = "2026-11-28T15:00:00Z",
        credentials: String? = nil
    ) -> HTTPResponse {
        let body =
            credentials
            ?? "<AccessKeyId>\(keyId)</AccessKeyId><SecretAccessKey>\(secret)</SecretAccessKey>"
            + "<SessionToken>\(token)</SessionToken><Expiration>\(expiration)</Expiration>"
        return .text(
            200,
            """
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleResult>
                <AssumedRoleUser>
                  <Arn>arn:aws:sts::111122223333:assumed-role/invalidator-target/fn-1</Arn>
                  <AssumedRoleId>AROA3XFRBF535PLBIFPI4:fn-1</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>\(body)</Credentials>
                <PackedPolicySize>6</PackedPolicySize>
              </AssumeRoleResult>
              <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
            </AssumeRoleResponse>
            """, headers: [HTTPHeader("x-amzn-requestid", "c6104cbe-af31-11e0-8154-cbc7ccf896c7")])
    }

    /// A query-protocol error as STS sends it.
    static func failure(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        .text(
            status,
            """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
              <RequestId>4f9d2c3e-0000-4000-8000-000000000001</RequestId>
            </ErrorResponse>
            """)
    }

    func client(_ fake: FakeTransport, policy: RetryPolicy = .none) throws -> STSClient {
        try STSClient(
            configuration: configuration(retryPolicy: policy), transport: fake, clock: VirtualClock(), random: { 0 })
    }

    @Test("AssumeRole: a signed form POST to the regional endpoint; the answer's credentials and role user")
    func assumeRole() async throws {
        let fake = FakeTransport([.success(Self.answer()), .success(Self.answer())])
        let sts = try client(fake)
        let assumed = try await sts.assumeRole(
            AssumeRoleRequest(
                roleArn: Self.role, roleSessionName: "fn-1@req.2", externalId: "ext/id:1", durationSeconds: 900))
        let request = try #require(fake.requests.first)
        #expect(request.method == "POST" && request.url == "https://sts.eu-west-1.amazonaws.com/")
        #expect(request.headers.contains { $0.name == "host" && $0.value == "sts.eu-west-1.amazonaws.com" })
        #expect(
            request.headers.contains {
                $0.name == "content-type" && $0.value == "application/x-www-form-urlencoded; charset=utf-8"
            })
        let authorization = try #require(request.headers.first { $0.name == "authorization" }?.value)
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
        #expect(authorization.contains("/eu-west-1/sts/aws4_request") && authorization.contains("content-type"))
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "Action=AssumeRole&Version=2011-06-15"
                + "&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fcdn%2Finvalidator-target"
                + "&RoleSessionName=fn-1%40req.2&ExternalId=ext%2Fid%3A1&DurationSeconds=900")
        #expect(assumed.roleArn == Self.role)
        #expect(
            assumed.credentials
                == AWSCredentials(
                    accessKeyId: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: Self.secret, sessionToken: Self.token))
        #expect(assumed.expiration == Date(timeIntervalSince1970: 1_795_878_000))
        #expect(assumed.assumedRoleArn == "arn:aws:sts::111122223333:assumed-role/invalidator-target/fn-1")
        #expect(assumed.assumedRoleId == "AROA3XFRBF535PLBIFPI4:fn-1")

        _ = try await sts.assumeRole(AssumeRoleRequest(roleArn: Self.role, roleSessionName: "s1"))
        #expect(
            String(decoding: fake.requests[1].body, as: UTF8.self)
                == "Action=AssumeRole&Version=2011-06-15"
                + "&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fcdn%2Finvalidator-target&RoleSessionName=s1")
    }

    @Test(
        "refused before sending, naming the field",
        arguments: [
            ("arn:aws:iam::111122223333:user/alice", "s1", nil, nil, "RoleArn"),
            ("arn:aws:iam::11112222333:role/r", "s1", nil, nil, "RoleArn"),
            ("arn:aws:iam:eu-west-1:111122223333:role/r", "s1", nil, nil, "RoleArn"),
            ("arn:aws:s3:::111122223333:role/r", "s1", nil, nil, "RoleArn"),
            ("arn:other:iam::111122223333:role/r", "s1", nil, nil, "RoleArn"),
            ("arn:aws:iam::111122223333:role/", "s1", nil, nil, "RoleArn"),
            ("arn:aws:iam::111122223333:role/a b", "s1", nil, nil, "RoleArn"),
            ("arn:aws:iam::111122223333:role/" + String(repeating: "r", count: 65), "s1", nil, nil, "RoleArn"),
            ("", "s1", nil, nil, "RoleArn"),
            (role, "s", nil, nil, "RoleSessionName"),
            (role, String(repeating: "s", count: 65), nil, nil, "RoleSessionName"),
            (role, "has space", nil, nil, "RoleSessionName"), (role, "a/b", nil, nil, "RoleSessionName"),
            (role, "s1", "x", nil, "ExternalId"), (role, "s1", String(repeating: "e", count: 1225), nil, "ExternalId"),
            (role, "s1", "no spaces", nil, "ExternalId"), (role, "s1", "é!", nil, "ExternalId"),
            (role, "s1", nil, 899, "DurationSeconds"), (role, "s1", nil, 43201, "DurationSeconds"),
        ] as [(String, String, String?, Int?, String)])
    func refused(_ arn: String, _ session: String, _ externalId: String?, _ duration: Int?, _ field: String)
        async throws
    {
        let fake = FakeTransport([.success(Self.answer())])
        let request = AssumeRoleRequest(
            roleArn: arn, roleSessionName: session, externalId: externalId, durationSeconds: duration)
        await #expect {
            try await client(fake).assumeRole(request)
        } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.kind == .invalidRequest && error.code == "ValidationError" && error.message.hasPrefix(field)
        }
        #expect(fake.requests.isEmpty)
    }

    @Test(
        "the limits themselves are accepted: 2 and 64 characters, 900 and 43200 s, paths, other partitions",
        arguments: [
            ("arn:aws:iam::111122223333:role/r", "s1", "ab", 900),
            ("arn:aws-cn:iam::111122223333:role/a/b/c/R+=,.@-_9", String(repeating: "s", count: 64), nil, 43200),
            ("arn:aws-us-gov:iam::111122223333:role/r", "a+=,.@-_", String(repeating: "e", count: 1224), nil),
            (role, "fn", "arn:aws:iam::1:x/y+=,.@-_", nil),
        ] as [(String, String, String?, Int?)])
    func accepted(_ arn: String, _ session: String, _ externalId: String?, _ duration: Int?) throws {
        let request = AssumeRoleRequest(
            roleArn: arn, roleSessionName: session, externalId: externalId, durationSeconds: duration)
        try request.validate()
    }

    @Test(
        "a query-protocol error: code, message, status and the request id of <ErrorResponse>; AccessDenied not retried")
    func accessDenied() async throws {
        let message = "User: arn:aws:sts::444455556666:assumed-role/fn/x is not authorized to perform: sts:AssumeRole"
        let fake = FakeTransport([.success(Self.failure(403, "AccessDenied", message)), .success(Self.answer())])
        let sts = try client(fake, policy: .standard)
        await #expect {
            try await sts.assumeRole(AssumeRoleRequest(roleArn: Self.role, roleSessionName: "s1"))
        } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.kind == .service && error.code == "AccessDenied" && error.message == message
                && error.statusCode == 403 && error.requestId == "4f9d2c3e-0000-4000-8000-000000000001"
                && error.service == "sts" && error.operation == "AssumeRole" && !error.isRetryable
        }
        #expect(fake.requests.count == 1)
    }

    @Test("IDPCommunicationError is retried for STS, as botocore retries it, and only for STS")
    func idpCommunicationError() async throws {
        let fake = FakeTransport([
            .success(Self.failure(400, "IDPCommunicationError", "try again")), .success(Self.answer()),
        ])
        let sts = try client(fake, policy: .standard)
        let assumed = try await sts.assumeRole(AssumeRoleRequest(roleArn: Self.role, roleSessionName: "s1"))
        #expect(assumed.credentials.accessKeyId == "ASIAIOSFODNN7EXAMPLE" && fake.requests.count == 2)
        let elsewhere = AWSError(
            kind: .service, code: "IDPCommunicationError", message: "", statusCode: 400, service: "cloudfront",
            operation: "CreateInvalidation")
        #expect(!elsewhere.isRetryable)
        for code in ["ExpiredTokenException", "RegionDisabledException", "MalformedPolicyDocument"] {
            let error = AWSError(
                kind: .service, code: code, message: "", statusCode: 400, service: "sts", operation: "AssumeRole")
            #expect(!error.isRetryable, "\(code)")
        }
    }

    @Test(
        "an answer without each credential, or with a bad Expiration, or not XML, is malformed",
        arguments: [
            "<SecretAccessKey>\(secret)</SecretAccessKey><SessionToken>\(token)</SessionToken>"
                + "<Expiration>2026-11-28T15:00:00Z</Expiration>",
            "<AccessKeyId>ASIA1</AccessKeyId><SessionToken>\(token)</SessionToken>"
                + "<Expiration>2026-11-28T15:00:00Z</Expiration>",
            "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>\(secret)</SecretAccessKey>"
                + "<Expiration>2026-11-28T15:00:00Z</Expiration>",
            "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>\(secret)</SecretAccessKey>"
                + "<SessionToken>\(token)</SessionToken>",
            "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>\(secret)</SecretAccessKey>"
                + "<SessionToken>\(token)</SessionToken><Expiration>tomorrow</Expiration>",
            "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>\(secret)</SecretAccessKey>"
                + "<SessionToken>\(token)</SessionToken><Expiration>2026-11-28T15:00:00Z</Expiration><Broken>",
        ])
    func malformed(_ credentials: String) async throws {
        let fake = FakeTransport([.success(Self.answer(credentials: credentials))])
        await #expect {
            try await client(fake).assumeRole(AssumeRoleRequest(roleArn: Self.role, roleSessionName: "s1"))
        } throws: { error in
            (error as? AWSError)?.kind == .malformedResponse
        }
    }

    @Test("no error, and no textual form of an assumed role, carries the secret, the session token or the external id")
    func secretScan() async throws {
        let externalId = "external-id-that-stays-out-of-logs"
        let denied = Self.failure(403, "AccessDenied", "not authorized")
        let broken = "<SecretAccessKey>\(Self.secret)</SecretAccessKey><SessionToken>\(Self.token)</SessionToken>"
        var errors: [AWSError] = []
        let requests = [
            AssumeRoleRequest(roleArn: Self.role, roleSessionName: "s1", externalId: externalId + "!"),
            AssumeRoleRequest(roleArn: Self.role, roleSessionName: "s1", externalId: externalId),
        ]
        let answers: [HTTPResponse] = [
            denied, Self.answer(credentials: broken), Self.answer(expiration: "never"),
            .text(200, "<AssumeRoleResponse>\(Self.secret) \(Self.token)"),
        ]
        for request in requests {
            for answer in answers {
                do {
                    _ = try await client(FakeTransport([.success(answer)])).assumeRole(request)
                } catch let error as AWSError {
                    errors.append(error)
                }
            }
        }
        #expect(errors.count == 8, "every answer to both requests fails: the first before sending")
        let assumed = try await client(FakeTransport([.success(Self.answer())])).assumeRole(requests[1])
        var dumped = ""
        dump(assumed, to: &dumped)
        let texts =
            errors.flatMap { ["\($0)", String(reflecting: $0), $0.message] }
            + ["\(assumed)", String(reflecting: assumed), dumped, "\(assumed.credentials)"]
        for text in texts {
            for secret in [Self.secret, Self.token, externalId] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
        #expect("\(assumed)".contains("ASIAIOSFODNN7EXAMPLE"))
    }

    @Test("a service client copied with other credentials signs with them; the original keeps its own")
    func signingWithOtherCredentials() async throws {
        let fake = FakeTransport([])
        let base = try CloudFrontClient(configuration: configuration(), transport: fake, clock: VirtualClock())
        let assumed = AWSCredentials(accessKeyId: "ASIAASSUMED0000000001", secretAccessKey: "s", sessionToken: "t2")
        let other = CloudFrontClient(client: base.client.signing(with: assumed))
        let headers = { (client: CloudFrontClient) in
            client.client.signedRequest(
                method: "GET", path: "/2020-05-31/distribution", query: [], headers: [], body: []
            )
            .headers
        }
        let signed = headers(other)
        #expect(
            signed.first { $0.name == "authorization" }?.value.contains("Credential=ASIAASSUMED0000000001/") == true)
        #expect(signed.first { $0.name == "x-amz-security-token" }?.value == "t2")
        let original = headers(base)
        #expect(original.first { $0.name == "authorization" }?.value.contains("Credential=AKIDEXAMPLE/") == true)
        #expect(original.first { $0.name == "x-amz-security-token" }?.value == "TOKEN")
        #expect(other.client.endpoint == base.client.endpoint && other.client.retryQuota === base.client.retryQuota)
    }
}

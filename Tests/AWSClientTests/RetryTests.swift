import AWSClient
import AWSTestSupport
import FoundationEssentials
import Testing

/// Retries as the SDKs' standard mode makes them, on a virtual clock: no test here waits in real time.
@Suite("Retries")
struct RetryTests {
    static let throttled = HTTPResponse.text(
        400,
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
            + "</Error><RequestId>r1</RequestId></ErrorResponse>")
    static let created = HTTPResponse.text(
        201,
        "<Invalidation><Id>I1</Id><Status>InProgress</Status><InvalidationBatch><CallerReference>c</CallerReference>"
            + "</InvalidationBatch></Invalidation>")

    static func error(_ status: Int, _ code: String) -> HTTPResponse {
        .text(status, "<ErrorResponse><Error><Code>\(code)</Code><Message>m</Message></Error></ErrorResponse>")
    }

    func client(
        _ fake: FakeTransport, policy: RetryPolicy = .standard, clock: VirtualClock, jitter: Double = 1
    ) throws -> CloudFrontClient {
        try CloudFrontClient(
            configuration: configuration(retryPolicy: policy), transport: fake, clock: clock, random: { jitter })
    }

    func create(
        _ client: CloudFrontClient, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> Invalidation {
        try await client.createInvalidation(distributionId: "E1", callerReference: "c", paths: ["/a"], context: context)
    }

    @Test("AWS_RETRY_MODE and AWS_MAX_ATTEMPTS as the SDKs read them; bad values name the variable")
    func environment() throws {
        #expect(try RetryPolicy(environment: [:]) == RetryPolicy(mode: .standard, maxAttempts: 3))
        #expect(try RetryPolicy(environment: ["AWS_RETRY_MODE": "legacy"]).maxAttempts == 5)
        #expect(try RetryPolicy(environment: ["AWS_RETRY_MODE": "Adaptive"]).mode == .adaptive)
        #expect(try RetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "10"]).maxAttempts == 10)
        #expect(try RetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "1"]).maxAttempts == 1)
        for (variable, value) in [("AWS_MAX_ATTEMPTS", "0"), ("AWS_MAX_ATTEMPTS", "three"), ("AWS_RETRY_MODE", "x")] {
            #expect(throws: EndpointError.self) { try RetryPolicy(environment: [variable: value]) }
            do {
                _ = try RetryPolicy(environment: [variable: value])
            } catch {
                #expect(error.variable == variable)
            }
        }
        let aws = try AWSConfiguration(environment: [
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_MAX_ATTEMPTS": "7",
        ])
        #expect(aws.retryPolicy.maxAttempts == 7)
    }

    @Test("full-jitter exponential backoff, capped at 20 s")
    func backoff() {
        let policy = RetryPolicy.standard
        let ceilings = (1...8).map { policy.backoff(afterAttempt: $0, random: 0.999_999).seconds.rounded() }
        #expect(ceilings == [1, 2, 4, 8, 16, 20, 20, 20])
        #expect(policy.backoff(afterAttempt: 3, random: 0) == .zero)
        #expect(policy.backoff(afterAttempt: 2, random: 0.5) == .seconds(1))
    }

    @Test("Throttling is retried with backoff, each attempt signed anew, and then succeeds")
    func throttlingThenSuccess() async throws {
        let fake = FakeTransport([.success(Self.throttled), .success(Self.throttled), .success(Self.created)])
        let clock = VirtualClock()
        let client = try client(fake, clock: clock)
        let context = AWSCallContext()
        #expect(try await create(client, context: context).id == "I1")
        #expect(fake.requests.count == 3)
        #expect(clock.slept.count == 2)
        #expect(clock.slept.total == .seconds(3), "1 s then 2 s at the top of the jitter")
        let dates = fake.requests.map { request in request.headers.first { $0.name == "x-amz-date" }?.value }
        #expect(Set(dates).count == 3, "a retry is signed with its own time")
        #expect(context.statistics.counts.retries == 2, "counted in the caller's context")
        #expect(context.statistics.counts.throttles == 2)
    }

    @Test(
        "transient failures are retried: 500, 502, 503, 504, RequestTimeout, connection errors and timeouts",
        arguments: [
            Result<HTTPResponse, AWSError>.success(error(500, "InternalError")),
            .success(error(502, "BadGateway")), .success(error(503, "ServiceUnavailable")),
            .success(error(504, "GatewayTimeout")), .success(error(400, "RequestTimeout")),
            .failure(AWSError(kind: .transport, code: "ConnectionError", message: "reset", service: "", operation: "")),
            .failure(AWSError(kind: .timeout, code: "RequestTimeout", message: "slow", service: "", operation: "")),
        ])
    func transient(failure: Result<HTTPResponse, AWSError>) async throws {
        let fake = FakeTransport([failure, .success(Self.created)])
        #expect(try await create(try client(fake, clock: VirtualClock())).id == "I1")
        #expect(fake.requests.count == 2)
    }

    @Test(
        "errors that cannot pass are never retried",
        arguments: [
            ("AccessDenied", 403), ("InvalidArgument", 400), ("NoSuchDistribution", 404),
            ("TooManyInvalidationsInProgress", 400), ("InvalidationBatchAlreadyExists", 400),
            ("InconsistentQuantities", 400), ("BatchTooLarge", 413),
        ])
    func permanent(code: String, status: Int) async throws {
        let fake = FakeTransport([.success(Self.error(status, code)), .success(Self.created)])
        let clock = VirtualClock()
        await #expect { try await create(try client(fake, clock: clock)) } throws: { error in
            (error as? AWSError)?.code == code
        }
        #expect(fake.requests.count == 1)
        #expect(clock.slept.count == 0)
    }

    @Test("AWS_MAX_ATTEMPTS bounds the attempts; the last error is the one thrown")
    func maxAttempts() async throws {
        let fake = FakeTransport(Array(repeating: .success(Self.throttled), count: 10))
        let clock = VirtualClock()
        let client = try client(fake, policy: RetryPolicy(maxAttempts: 5), clock: clock)
        await #expect { try await create(client) } throws: { ($0 as? AWSError)?.code == "Throttling" }
        #expect(fake.requests.count == 5)
        #expect(clock.slept.total == .seconds(1 + 2 + 4 + 8))
    }

    @Test("the retry quota: 500 tokens, 5 a retry, 10 after a timeout; an empty quota stops retries; success refunds")
    func quota() async throws {
        let fake = FakeTransport(Array(repeating: .success(Self.throttled), count: 400))
        let client = try client(fake, clock: VirtualClock(), jitter: 0)
        for _ in 0..<50 { _ = try? await create(client) }
        #expect(fake.requests.count == 150, "50 calls of 3 attempts: 100 retries at 5 tokens")
        #expect(client.client.retryQuota.available == 0)
        _ = try? await create(client)
        #expect(fake.requests.count == 151, "no retry once the quota is spent")

        // 500 - 98 x 5 = 10 tokens left: a timeout (10) can be retried once, then neither it nor a throttle (5).
        let timeout = Result<HTTPResponse, AWSError>.failure(
            AWSError(kind: .timeout, code: "RequestTimeout", message: "", service: "", operation: ""))
        let drained = FakeTransport(Array(repeating: .success(Self.throttled), count: 98) + [timeout, timeout])
        let fresh = try self.client(drained, policy: RetryPolicy(maxAttempts: 99), clock: VirtualClock(), jitter: 0)
        _ = try? await create(fresh)
        #expect(drained.requests.count == 99, "98 retries of a throttle")
        #expect(fresh.client.retryQuota.available == 10)
        _ = try? await create(fresh)
        #expect(drained.requests.count == 101, "a timeout retried once at 10 tokens")
        #expect(fresh.client.retryQuota.available == 0)

        let refunds = FakeTransport([.success(Self.throttled), timeout, .success(Self.created)])
        let refunded = try self.client(refunds, clock: VirtualClock(), jitter: 0)
        _ = try await create(refunded)
        #expect(refunded.client.retryQuota.available == RetryQuota.capacity - 5, "only the last retry's 10 come back")
    }

    @Test("no attempt starts and no backoff runs past the deadline; each attempt's timeout fits before it")
    func deadline() async throws {
        let fake = FakeTransport(Array(repeating: .success(Self.throttled), count: 10))
        let clock = VirtualClock()
        let client = try client(fake, clock: clock)
        let deadline = clock.now().addingTimeInterval(1.5)
        await #expect {
            try await create(client, context: AWSCallContext(deadline: deadline))
        } throws: {
            ($0 as? AWSError)?.code == "Throttling"
        }
        #expect(fake.requests.count == 2, "the second backoff (2 s) would end past the deadline")
        #expect(clock.now() < deadline)

        let late = FakeTransport([.success(Self.created)])
        let expired = AWSCallContext(deadline: clock.now().addingTimeInterval(0.05))
        await #expect {
            try await self.client(late, clock: clock).getInvalidation(distributionId: "E", id: "I", context: expired)
        } throws: {
            ($0 as? AWSError)?.code == "DeadlineReached"
        }
        #expect(late.requests.isEmpty)
    }
}

@Suite("Shared configuration files")
struct SharedConfigTests {
    static let files = [
        "/h/.aws/credentials": """
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret
        [site]
        aws_access_key_id = AKIDSITE
        aws_secret_access_key = site-secret
        aws_session_token = site-token
        region = eu-central-1
        """,
        "/h/.aws/config": """
        [default]
        region = us-west-2
        [profile site]
        region = eu-west-1
        output = json
        [profile admin]
        role_arn = arn:aws:iam::123456789012:role/admin
        source_profile = default
        """,
    ]

    func resolve(_ environment: [String: String]) throws(EndpointError) -> [String: String] {
        try SharedConfig.environment(overlaying: ["HOME": "/h"].merging(environment) { $1 }) { Self.files[$0] }
    }

    @Test("a file is read whole, past the read buffer; a missing file or a directory reads as nil")
    func readsFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shared-config-\(UUID())").path
        let text = (0..<3_000).map { "key_\($0) = value é \($0)\n" }.joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(text.utf8.count > 32_768)
        #expect(SharedConfig.read(path) == text)
        #expect(SharedConfig.read(path + ".missing") == nil)
        #expect(SharedConfig.read(FileManager.default.temporaryDirectory.path) == nil)
    }

    @Test("the default profile, a named one, the credentials file over the config file, the environment over both")
    func profiles() throws {
        #expect(try resolve([:])["AWS_ACCESS_KEY_ID"] == "AKIDDEFAULT")
        #expect(try resolve([:])["AWS_REGION"] == "us-west-2")
        let site = try resolve(["AWS_PROFILE": "site"])
        #expect(site["AWS_ACCESS_KEY_ID"] == "AKIDSITE" && site["AWS_SESSION_TOKEN"] == "site-token")
        #expect(site["AWS_REGION"] == "eu-central-1", "the credentials file wins, as botocore merges them")
        #expect(try resolve(["AWS_DEFAULT_PROFILE": "site", "AWS_PROFILE": "nope"])["AWS_ACCESS_KEY_ID"] == "AKIDSITE")
        let env = try resolve([
            "AWS_PROFILE": "site", "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s",
            "AWS_REGION": "ap-south-1",
        ])
        #expect(env["AWS_ACCESS_KEY_ID"] == "AKIDENV" && env["AWS_REGION"] == "ap-south-1")
    }

    @Test("a missing profile and an assume-role profile are refused, naming the variable")
    func refused() {
        #expect(throws: EndpointError.self) { try resolve(["AWS_PROFILE": "nope"]) }
        do {
            _ = try resolve(["AWS_PROFILE": "admin"])
            Issue.record("an assume-role profile must be refused")
        } catch {
            #expect(error.variable == "AWS_PROFILE" && error.description.contains("role_arn"))
        }
    }
}

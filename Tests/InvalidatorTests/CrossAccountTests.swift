import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import Invalidator
import LambdaRuntime
import LocalAWS
import Testing

/// Distributions in other accounts and distribution tenants, through the real start-up and handler against the strict
/// fakes: `FakeSTS` issues credentials only to callers a role trusts (with its external id) and expires them on the
/// virtual clock; `FakeCloudFront` refuses a request about a distribution unless it is signed by a key of the
/// distribution's account, so every invalidation created below proves whose credentials signed it.
@Suite("Other accounts and tenants")
struct CrossAccountTests {
    static let ownAccount = "123456789012"
    static let edgeAccount = "444455556666"
    static let role = "arn:aws:iam::444455556666:role/edge-invalidator"
    static let externalId = "site-7f3c9a1e"

    struct Bed {
        let clock = VirtualClock()
        let sts: FakeSTS
        let cloudFront: FakeCloudFront
        let log = RecordingLog()
        var environment = HandlerTestsEnvironment.values

        init() async {
            sts = FakeSTS(clock: clock)
            cloudFront = FakeCloudFront.inProcess(clock: clock)
            await cloudFront.trustCredentials(issuedBy: sts)
            await cloudFront.setAccount(CrossAccountTests.ownAccount, forAccessKeyId: "AKIDEXAMPLE")
            environment["AWS_LAMBDA_FUNCTION_NAME"] = "site-invalidator"
        }

        var transport: RoutingTransport {
            RoutingTransport(["cloudfront": cloudFront.transport, "sts": sts.transport])
        }

        func trustRole(_ keys: Set<String> = ["AKIDEXAMPLE"]) async {
            await sts.createRole(
                arn: CrossAccountTests.role, trustedAccessKeyIds: keys, externalId: CrossAccountTests.externalId)
        }

        func handler() async throws(ConfigurationError) -> InvalidationHandler {
            try await Startup(environment: environment, transport: transport, clock: clock)
                .makeHandler(logger: log.logger)
        }

        /// Every secret the test knows: the function's own and every one STS issued.
        func secrets() async -> [String] {
            var secrets = [environment["AWS_SECRET_ACCESS_KEY"]!, environment["AWS_SESSION_TOKEN"]!, externalId]
            for issued in await sts.issued {
                secrets += [issued.credentials.secretAccessKey, issued.credentials.sessionToken ?? ""]
            }
            return secrets.filter { !$0.isEmpty }
        }

        var externalId: String { CrossAccountTests.externalId }

        /// An invocation with 30 s left on the bed's clock (the one every client and fake here runs on).
        func invocation(_ body: [UInt8]) -> Invocation {
            Invocation(
                requestId: "req-1", deadlineMilliseconds: Int64(clock.now().timeIntervalSince1970 * 1000) + 30_000,
                body: body)
        }
    }

    static let map = """
        {"site-a": "E1OWN", "site-b": {"id": "E2EDGE", "roleArn": "\(role)", "externalId": "\(externalId)"}}
        """

    @Test("one batch over two accounts: one request per distribution, each signed by its account, no secret logged")
    func twoAccounts() async throws {
        var bed = await Bed()
        await bed.trustRole()
        await bed.cloudFront.addDistribution("E1OWN", origins: [], account: Self.ownAccount)
        await bed.cloudFront.addDistribution("E2EDGE", origins: [], account: Self.edgeAccount)
        bed.environment["DISTRIBUTION_MAP"] = Self.map
        let handler = try await bed.handler()
        let event = sqsEvent([
            (id: "m1", body: s3Body(bucket: "site-a", "a.html")), (id: "m2", body: s3Body(bucket: "site-b", "b.html")),
        ])
        let result = await handler.handle(bed.invocation(event), logger: bed.log.logger)
        #expect(try result.get() == Array(#"{"batchItemFailures":[]}"#.utf8))
        let created = await bed.cloudFront.invalidations
        #expect(created.map(\.distributionId).sorted() == ["E1OWN", "E2EDGE"])
        #expect(created.first { $0.distributionId == "E2EDGE" }?.paths == ["/b.html"])
        // Assumed once, at start-up, with the external id, in a session named for the function.
        let issued = await bed.sts.issued
        #expect(issued.map(\.sessionName) == ["site-invalidator-init"])
        #expect(issued.map(\.externalId) == [Self.externalId])
        let lines = bed.log.all.joined(separator: "\n")
        for secret in await bed.secrets() { #expect(!lines.contains(secret), "a secret reached the log") }
    }

    @Test("a role that cannot be assumed at start-up is an init error naming the role and the variable")
    func initError() async throws {
        var bed = await Bed()
        await bed.trustRole(["AKIDSOMEONEELSE"])
        bed.environment["DISTRIBUTION_MAP"] = Self.map
        do {
            _ = try await bed.handler()
            Issue.record("started with a role it cannot assume")
        } catch {
            #expect(error.variable == "DISTRIBUTION_MAP")
            #expect(error.message.contains(Self.role) && error.message.contains("AccessDenied"), "\(error.message)")
            #expect(!error.message.contains(Self.externalId))
        }
    }

    @Test("a role that stops working later hands back only its target's messages; the other account is served")
    func handBack() async throws {
        var bed = await Bed()
        await bed.trustRole()
        await bed.cloudFront.addDistribution("E1OWN", origins: [], account: Self.ownAccount)
        await bed.cloudFront.addDistribution("E2EDGE", origins: [], account: Self.edgeAccount)
        bed.environment["DISTRIBUTION_MAP"] = Self.map
        let handler = try await bed.handler()
        // The cached credentials expire; the role no longer trusts the function.
        bed.clock.advance(by: .seconds(3600))
        await bed.trustRole(["AKIDSOMEONEELSE"])
        let event = sqsEvent([
            (id: "m1", body: s3Body(bucket: "site-a", "a.html")), (id: "m2", body: s3Body(bucket: "site-b", "b.html")),
        ])
        let result = await handler.handle(bed.invocation(event), logger: bed.log.logger)
        #expect(try result.get() == Array(#"{"batchItemFailures":[{"itemIdentifier":"m2"}]}"#.utf8))
        #expect(await bed.cloudFront.invalidations.map(\.distributionId) == ["E1OWN"])
        let failure = try #require(bed.log.all.first { $0.contains("invalidation failed") })
        #expect(failure.contains(Self.role) && failure.contains("AccessDenied"), "\(failure)")
        let lines = bed.log.all.joined(separator: "\n")
        for secret in await bed.secrets() { #expect(!lines.contains(secret), "a secret reached the log") }
    }

    @Test("credentials the function did not refresh are refused: an expired session is never used")
    func refreshed() async throws {
        var bed = await Bed()
        await bed.trustRole()
        await bed.cloudFront.addDistribution("E2EDGE", origins: [], account: Self.edgeAccount)
        bed.environment["DISTRIBUTION_MAP"] = Self.map
        let handler = try await bed.handler()
        // Within five minutes of the hour the cache asks STS again rather than sign with what is about to expire.
        bed.clock.advance(by: .seconds(3600 - 240))
        let event = sqsEvent([(id: "m2", body: s3Body(bucket: "site-b", "b.html"))])
        let result = await handler.handle(bed.invocation(event), logger: bed.log.logger)
        #expect(try result.get() == Array(#"{"batchItemFailures":[]}"#.utf8), "\(bed.log.all)")
        #expect(await bed.sts.issued.map(\.sessionName) == ["site-invalidator-init", "site-invalidator-req-1"])
    }

    @Test("discovery: three tenants' prefixes give three tenant invalidations, none for their distribution")
    func tenants() async throws {
        let bed = await Bed()
        await bed.cloudFront.addMultiTenantDistribution(
            "EMULTI", origins: [(domain: "shared.s3.eu-west-1.amazonaws.com", path: "/{{tenantName}}")],
            parameters: [(name: "tenantName", required: true, defaultValue: nil)])
        var ids: [String: String] = [:]
        for name in ["acme", "globex", "initech", "umbrella"] {
            ids[name] = await bed.cloudFront.addTenant(
                distributionId: "EMULTI", name: name, domains: ["\(name).example.com"],
                parameters: [(name: "tenantName", value: name)])
        }
        let handler = try await bed.handler()
        let event = sqsEvent([
            (id: "m1", body: s3Body(bucket: "shared", "acme/index.html", "globex/a.css")),
            (id: "m2", body: s3Body(bucket: "shared", "initech/x/y.html", "nobody/z.html")),
        ])
        let result = await handler.handle(bed.invocation(event), logger: bed.log.logger)
        #expect(try result.get() == Array(#"{"batchItemFailures":[]}"#.utf8))
        #expect(await bed.cloudFront.invalidations(tenantId: ids["acme"]!).map(\.paths) == [["/", "/index.html"]])
        #expect(await bed.cloudFront.invalidations(tenantId: ids["globex"]!).map(\.paths) == [["/a.css"]])
        #expect(await bed.cloudFront.invalidations(tenantId: ids["initech"]!).map(\.paths) == [["/x/y.html"]])
        #expect(await bed.cloudFront.invalidations(tenantId: ids["umbrella"]!).isEmpty)
        #expect(await bed.cloudFront.invalidations.allSatisfy { $0.tenantId != nil }, "nothing for EMULTI itself")
        #expect(bed.log.all.contains { $0.contains("nobody/z.html") && $0.contains("outside every origin path") })
    }

    @Test("a tenant named in the map, in another account, through the role")
    func mappedTenant() async throws {
        var bed = await Bed()
        await bed.trustRole()
        await bed.cloudFront.addMultiTenantDistribution(
            "EMULTI", origins: [(domain: "shared.s3.amazonaws.com", path: "/{{tenantName}}")], account: Self.edgeAccount
        )
        let tenant = await bed.cloudFront.addTenant(
            distributionId: "EMULTI", name: "acme", domains: ["acme.example.com"],
            parameters: [(name: "tenantName", value: "acme")])
        bed.environment["DISTRIBUTION_MAP"] =
            #"{"shared/acme": {"tenant": "\#(tenant)", "roleArn": "\#(Self.role)", "externalId": "\#(Self.externalId)"}}"#
        let handler = try await bed.handler()
        let event = sqsEvent([(id: "m1", body: s3Body(bucket: "shared", "acme/a.html", "beta/b.html"))])
        let result = await handler.handle(bed.invocation(event), logger: bed.log.logger)
        #expect(try result.get() == Array(#"{"batchItemFailures":[]}"#.utf8))
        #expect(await bed.cloudFront.invalidations(tenantId: tenant).map(\.paths) == [["/a.html"]])
    }

    @Test(
        "a pipeline job names tenants and the role: created, then waited for, through the role with the job's external id"
    )
    func jobThroughRole() async throws {
        var bed = await Bed()
        await bed.trustRole()
        await bed.cloudFront.addMultiTenantDistribution(
            "EMULTI", origins: [(domain: "shared.s3.amazonaws.com", path: "/{{tenantName}}")],
            account: Self.edgeAccount,
            pollsUntilComplete: 1)
        let tenant = await bed.cloudFront.addTenant(
            distributionId: "EMULTI", name: "acme", domains: ["acme.example.com"],
            parameters: [(name: "tenantName", value: "acme")])
        let pipeline = RecordingCodePipeline(cloudFront: bed.cloudFront.transport, clock: bed.clock)
        let handler = try await Startup(
            environment: bed.environment,
            transport: RoutingTransport(
                ["cloudfront": bed.cloudFront.transport, "sts": bed.sts.transport, "codepipeline": pipeline]),
            clock: bed.clock
        ).makeHandler(logger: bed.log.logger)
        let parameters =
            #"{"tenantIds": ["\#(tenant)"], "roleArn": "\#(Self.role)", "externalId": "\#(Self.externalId)", "#
            + #""wait": true, "paths": ["/index.html"]}"#
        _ = await handler.handle(bed.invocation(pipelineJob(parameters)), logger: bed.log.logger)
        let first = try #require(pipeline.reports.last)
        #expect(first.operation == "PutJobSuccessResult")
        let token = try #require(first.body["continuationToken"]?.string)
        #expect(token.contains("tenant:\(tenant)|\(Self.role)"))
        #expect(await bed.cloudFront.invalidations(tenantId: tenant).map(\.paths) == [["/index.html"]])
        // Polled until complete: each continuation reads the tenant's invalidation through the role.
        var next: String? = token
        for _ in 0..<3 {
            guard let continuation = next else { break }
            bed.clock.advance(by: .seconds(30))
            _ = await handler.handle(
                bed.invocation(pipelineJob(parameters, continuationToken: continuation)), logger: bed.log.logger)
            next = pipeline.reports.last?.body["continuationToken"]?.string
        }
        let last = try #require(pipeline.reports.last)
        #expect(last.operation == "PutJobSuccessResult" && last.body["continuationToken"] == nil, "\(last.body)")
        #expect(last.body["executionDetails"]?["summary"]?.string?.contains("completed") == true, "\(last.body)")
        #expect(await bed.sts.issued.map(\.externalId) == [Self.externalId])
        let lines = bed.log.all.joined(separator: "\n")
        for secret in await bed.secrets() { #expect(!lines.contains(secret), "a secret reached the log") }
    }

    @Test("DISCOVERY_ROLE_ARNS: discovery lists the other account through the role and invalidates through it")
    func discoveryInOtherAccount() async throws {
        var bed = await Bed()
        await bed.trustRole()
        await bed.cloudFront.addDistribution(
            "E1OWN", origins: [(domain: "site-a.s3.amazonaws.com", path: "")], account: Self.ownAccount)
        await bed.cloudFront.addDistribution(
            "E2EDGE", origins: [(domain: "site-b.s3.amazonaws.com", path: "/live")], account: Self.edgeAccount)
        bed.environment["DISCOVERY_ROLE_ARNS"] = Self.role
        bed.environment["EXTERNAL_ID"] = Self.externalId
        let handler = try await bed.handler()
        let event = sqsEvent([
            (id: "m1", body: s3Body(bucket: "site-a", "a.html")),
            (id: "m2", body: s3Body(bucket: "site-b", "live/b.html")),
        ])
        let result = await handler.handle(bed.invocation(event), logger: bed.log.logger)
        #expect(try result.get() == Array(#"{"batchItemFailures":[]}"#.utf8))
        let created = await bed.cloudFront.invalidations
        #expect(created.map(\.distributionId).sorted() == ["E1OWN", "E2EDGE"])
        #expect(created.first { $0.distributionId == "E2EDGE" }?.paths == ["/b.html"])
        #expect(await bed.sts.issued.map(\.externalId) == [Self.externalId], "EXTERNAL_ID for a role without its own")
    }

    @Test("DISCOVERY_ROLE_ARNS whose role cannot be assumed: start-up fails naming it")
    func discoveryRoleRefused() async throws {
        var bed = await Bed()
        await bed.trustRole()
        bed.environment["DISCOVERY_ROLE_ARNS"] = Self.role
        do {
            _ = try await bed.handler()
            Issue.record("started without the external id the role asks for")
        } catch {
            #expect(error.variable == "DISCOVERY_ROLE_ARNS" && error.message.contains(Self.role), "\(error)")
        }
    }
}

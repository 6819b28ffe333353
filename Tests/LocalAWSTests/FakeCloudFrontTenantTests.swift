import AWSClient
import AWSTestSupport
import FoundationEssentials
import LocalAWS
import Synchronization
import Testing

/// The fake's multi-tenant distributions, tenant invalidations and accounts, through the real `CloudFrontClient`.
@Suite("FakeCloudFront: tenants and accounts")
struct FakeCloudFrontTenantTests {
    static let plain = AWSCredentials(accessKeyId: "AKIAEDGEACCOUNT00001", secretAccessKey: "edge-secret")
    static let other = AWSCredentials(accessKeyId: "AKIAOTHERACCOUNT0001", secretAccessKey: "other-secret")
    static let edgeAccount = "111122223333"
    let clock = VirtualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
    let cloudFront: FakeCloudFront
    let acme: String
    let globex: String

    init() async {
        cloudFront = FakeCloudFront.inProcess(clock: clock)
        await cloudFront.addMultiTenantDistribution(
            "EMULTI1", origins: [(domain: "shared.s3.us-east-1.amazonaws.com", path: "/{{tenantName}}")],
            parameters: [(name: "tenantName", required: true, defaultValue: nil)])
        await cloudFront.addDistribution("ESTANDARD", origins: [(domain: "site.s3.amazonaws.com", path: "")])
        acme = await cloudFront.addTenant(
            distributionId: "EMULTI1", name: "acme", domains: ["acme.example.com"],
            parameters: [(name: "tenantName", value: "acme")])
        globex = await cloudFront.addTenant(
            distributionId: "EMULTI1", name: "globex", domains: ["globex.example.com", "www.globex.example.com"],
            parameters: [(name: "tenantName", value: "globex")], enabled: false)
    }

    func client(_ credentials: AWSCredentials = plain) throws -> CloudFrontClient {
        try CloudFrontClient(
            configuration: AWSConfiguration(region: "us-east-1", credentials: credentials, retryPolicy: .none),
            transport: cloudFront.transport, clock: clock)
    }

    /// The error code of `call`, or "ok".
    func code<T>(_ call: () async throws -> T) async -> String {
        do {
            _ = try await call()
            return "ok"
        } catch let error as AWSError {
            return error.code
        } catch {
            return "\(error)"
        }
    }

    @Test("tenants: `dt_` ids; listed per distribution and paged by an opaque marker; read by id, name or ARN")
    func tenantsListedAndRead() async throws {
        let client = try client()
        #expect(acme.hasPrefix("dt_") && acme.count == 30 && acme != globex)
        let third = await cloudFront.addTenant(distributionId: "EMULTI1", name: "initech", domains: ["i.example"])
        await cloudFront.addMultiTenantDistribution("EMULTI2", origins: [(domain: "x.s3.amazonaws.com", path: "")])
        let elsewhere = await cloudFront.addTenant(distributionId: "EMULTI2", name: "hooli", domains: ["h.example"])
        var seen: [DistributionTenantSummary] = []
        var marker: String?
        repeat {
            let page = try await client.listDistributionTenants(distributionId: "EMULTI1", marker: marker, maxItems: 2)
            #expect(page.tenants.count <= 2)
            seen += page.tenants
            marker = page.nextMarker
            #expect(marker.map { ![acme, globex, third].contains($0) } ?? true, "the marker is not a tenant id")
        } while marker != nil
        #expect(Set(seen.map(\.id)) == [acme, globex, third] && seen.count == 3)
        #expect(seen.first { $0.id == globex }?.domains == ["globex.example.com", "www.globex.example.com"])
        #expect(seen.first { $0.id == globex }?.enabled == false)
        let all = try await client.listDistributionTenants(distributionId: nil)
        #expect(Set(all.tenants.map(\.id)) == [acme, globex, third, elsewhere])
        let read = try await client.getDistributionTenant(id: acme)
        #expect(
            read.distributionId == "EMULTI1" && read.name == "acme" && read.parameterValues == ["tenantName": "acme"])
        #expect(try await client.getDistributionTenant(id: "globex").id == globex)
        #expect(try await client.getDistributionTenant(id: read.summary.arn).id == acme)
        #expect(await code { try await client.getDistributionTenant(id: "dt_unknown") } == "EntityNotFound")
        #expect(await code { try await client.listDistributionTenants(distributionId: "ENONE") } == "EntityNotFound")
        #expect(
            await code { try await client.listDistributionTenants(distributionId: nil, marker: acme) }
                == "InvalidArgument", "a marker the listing never gave")
    }

    @Test("a multi-tenant distribution: ListDistributionsByConnectionMode lists it, its configuration says so")
    func connectionModes() async throws {
        let client = try client()
        let standard = try await client.listDistributions(marker: nil)
        #expect(standard.distributions.map(\.id) == ["ESTANDARD"])
        let multi = try await client.listDistributions(connectionMode: .tenantOnly, marker: nil)
        #expect(multi.distributions.map(\.id) == ["EMULTI1"] && multi.distributions[0].isMultiTenant)
        #expect(multi.distributions[0].origins?.first?.originPath == "/{{tenantName}}")
        let direct = try await client.listDistributions(connectionMode: .direct, marker: nil)
        #expect(direct.distributions.map(\.id) == ["ESTANDARD"])
        let config = try await client.getDistributionConfig(id: "EMULTI1")
        #expect(
            config.isMultiTenant
                && config.tenantParameters == [TenantParameterDefinition(name: "tenantName", required: true)])
        #expect(try await client.getDistributionConfig(id: "ESTANDARD").connectionMode == nil)
        #expect(
            await code {
                try await client.listDistributions(connectionMode: ConnectionMode(rawValue: "both"), marker: nil)
            } == "InvalidArgument")
    }

    @Test("tenant invalidations: idempotent per tenant, conflicting references refused, paths checked, completion")
    func tenantInvalidations() async throws {
        let client = try client()
        await cloudFront.completeInvalidations(after: .seconds(60))
        let first = try await client.createInvalidation(tenantId: acme, callerReference: "r1", paths: ["/index.html"])
        #expect(first.status == "InProgress")
        let again = try await client.createInvalidation(tenantId: acme, callerReference: "r1", paths: ["/index.html"])
        let replays = await cloudFront.counters.idempotentReplays
        #expect(again.id == first.id && replays == 1)
        #expect(
            await code { try await client.createInvalidation(tenantId: acme, callerReference: "r1", paths: ["/b"]) }
                == "InvalidationBatchAlreadyExists")
        let other = try await client.createInvalidation(tenantId: globex, callerReference: "r1", paths: ["/b"])
        #expect(other.id != first.id, "a reference is the tenant's own")
        #expect(
            await code { try await client.createInvalidation(tenantId: acme, callerReference: "r2", paths: ["x"]) }
                == "InvalidArgument")
        #expect(
            await code { try await client.createInvalidation(tenantId: "dt_nope", callerReference: "r", paths: ["/a"]) }
                == "EntityNotFound")
        #expect(try await client.getInvalidation(tenantId: acme, id: first.id).status == "InProgress")
        clock.advance(by: .seconds(61))
        #expect(try await client.getInvalidation(tenantId: acme, id: first.id).isCompleted)
        #expect(await code { try await client.getInvalidation(tenantId: globex, id: first.id) } == "NoSuchInvalidation")
        #expect(await cloudFront.invalidations(tenantId: acme).map(\.id) == [first.id])
    }

    @Test("a tenant's invalidations are listed for it only, never among its distribution's, nor these among its")
    func listsAreSeparate() async throws {
        let client = try client()
        await cloudFront.addMultiTenantDistribution("EMULTI3", origins: [(domain: "m.s3.amazonaws.com", path: "")])
        let tenant = await cloudFront.addTenant(distributionId: "EMULTI3", name: "t", domains: ["t.example"])
        let own = try await client.createInvalidation(distributionId: "EMULTI3", callerReference: "d", paths: ["/d"])
        var tenantIds: [String] = []
        for index in 0..<3 {
            tenantIds.append(
                try await client.createInvalidation(tenantId: tenant, callerReference: "t\(index)", paths: ["/t"]).id)
        }
        let distributionList = try await client.listInvalidations(distributionId: "EMULTI3")
        #expect(distributionList.invalidations.map(\.id) == [own.id])
        let first = try await client.listInvalidations(tenantId: tenant, maxItems: 2)
        let rest = try await client.listInvalidations(tenantId: tenant, marker: first.nextMarker, maxItems: 2)
        #expect((first.invalidations + rest.invalidations).map(\.id) == tenantIds.reversed() && rest.nextMarker == nil)
        #expect(
            await code { try await client.getInvalidation(distributionId: "EMULTI3", id: tenantIds[0]) }
                == "NoSuchInvalidation")
        #expect(await code { try await client.getInvalidation(tenantId: tenant, id: own.id) } == "NoSuchInvalidation")
        let sameReference = try await client.createInvalidation(tenantId: tenant, callerReference: "d", paths: ["/x"])
        #expect(sameReference.id != own.id, "the distribution's reference is not the tenant's")
    }

    @Test("the in-progress limits are the distribution's, shared by its tenants and itself")
    func sharedLimits() async throws {
        let client = try client()
        await cloudFront.completeInvalidations(after: .seconds(60))
        let wild = { (prefix: String, count: Int) in (0..<count).map { "/\(prefix)\($0)/*" } }
        #expect(
            try await client.createInvalidation(tenantId: acme, callerReference: "a", paths: wild("a", 10)).status
                == "InProgress")
        #expect(
            await code {
                try await client.createInvalidation(tenantId: globex, callerReference: "g", paths: wild("g", 6))
            }
                == "TooManyInvalidationsInProgress")
        #expect(
            await code {
                try await client.createInvalidation(
                    distributionId: "EMULTI1", callerReference: "d", paths: wild("d", 6))
            } == "TooManyInvalidationsInProgress")
        #expect(
            try await client.createInvalidation(tenantId: globex, callerReference: "g", paths: wild("g", 5)).status
                == "InProgress")
        clock.advance(by: .seconds(61))
        #expect(
            try await client.createInvalidation(tenantId: globex, callerReference: "g2", paths: wild("h", 15)).status
                == "InProgress")
    }

    @Test("accounts: a key of the owning account may call; another account's key, or an unknown one, is AccessDenied")
    func plainKeyAccounts() async throws {
        await cloudFront.setAccount(Self.edgeAccount, ofDistribution: "EMULTI1")
        await cloudFront.addDistribution(
            "EOWNED", origins: [(domain: "o.s3.amazonaws.com", path: "")], account: Self.edgeAccount)
        await cloudFront.setAccount(Self.edgeAccount, forAccessKeyId: Self.plain.accessKeyId)
        await cloudFront.setAccount("444455556666", forAccessKeyId: Self.other.accessKeyId)
        let owner = try client()
        let stranger = try client(Self.other)
        let unknown = try client(AWSCredentials(accessKeyId: "AKIAUNREGISTERED0001", secretAccessKey: "s"))
        let created = try await owner.createInvalidation(tenantId: acme, callerReference: "r", paths: ["/a"])
        #expect(try await owner.getDistributionTenant(id: acme).id == acme)
        _ = try await owner.createInvalidation(distributionId: "EOWNED", callerReference: "r", paths: ["/a"])
        for caller in [stranger, unknown] {
            #expect(
                await code { try await caller.createInvalidation(tenantId: acme, callerReference: "x", paths: ["/a"]) }
                    == "AccessDenied")
            #expect(await code { try await caller.getInvalidation(tenantId: acme, id: created.id) } == "AccessDenied")
            #expect(await code { try await caller.listInvalidations(tenantId: acme) } == "AccessDenied")
            #expect(await code { try await caller.getDistributionTenant(id: acme) } == "AccessDenied")
            #expect(
                await code {
                    try await caller.createInvalidation(distributionId: "EOWNED", callerReference: "x", paths: ["/a"])
                }
                    == "AccessDenied")
            #expect(await code { try await caller.getDistributionConfig(id: "EMULTI1") } == "AccessDenied")
            #expect(try await caller.listDistributionTenants(distributionId: nil).tenants.isEmpty, "not its account's")
            #expect(try await caller.listDistributions(marker: nil).distributions.map(\.id) == ["ESTANDARD"])
            _ = try await caller.createInvalidation(distributionId: "ESTANDARD", callerReference: "s", paths: ["/a"])
        }
        #expect(Set(try await owner.listDistributions(marker: nil).distributions.map(\.id)) == ["ESTANDARD", "EOWNED"])
        #expect(try await owner.listDistributionTenants(distributionId: nil).tenants.count == 2)
        do {
            _ = try await stranger.getDistributionTenant(id: acme)
            Issue.record("another account's key read the tenant")
        } catch {
            #expect(error.statusCode == 403)
            #expect(error.message.contains("arn:aws:cloudfront::111122223333:distribution-tenant/\(acme)"))
            #expect(!error.message.contains(Self.other.secretAccessKey))
        }
    }

    @Test("assumed roles: FakeSTS's keys are the role's account; without their token, or expired, refused")
    func assumedRoleAccounts() async throws {
        let sts = FakeSTS(clock: clock)
        let role = "arn:aws:iam::\(Self.edgeAccount):role/invalidator"
        let wrongRole = "arn:aws:iam::444455556666:role/invalidator"
        await sts.createRole(arn: role, trustedAccessKeyIds: [Self.other.accessKeyId])
        await sts.createRole(arn: wrongRole, trustedAccessKeyIds: [Self.other.accessKeyId])
        await cloudFront.trustCredentials(issuedBy: sts)
        await cloudFront.setAccount(Self.edgeAccount, ofDistribution: "EMULTI1")
        let stsClient = try STSClient(
            configuration: AWSConfiguration(region: "us-east-1", credentials: Self.other, retryPolicy: .none),
            transport: sts.transport, clock: clock)
        let assumed = try await stsClient.assumeRole(
            AssumeRoleRequest(roleArn: role, roleSessionName: "fn-1", durationSeconds: 900))
        let elsewhere = try await stsClient.assumeRole(AssumeRoleRequest(roleArn: wrongRole, roleSessionName: "fn-1"))
        let base = try client(Self.other)
        let asRole = CloudFrontClient(client: base.client.signing(with: assumed.credentials))
        let asWrongRole = CloudFrontClient(client: base.client.signing(with: elsewhere.credentials))
        var tokenless = assumed.credentials
        tokenless.sessionToken = nil
        let withoutToken = CloudFrontClient(client: base.client.signing(with: tokenless))

        #expect(try await asRole.createInvalidation(tenantId: acme, callerReference: "r", paths: ["/a"]).status != "")
        #expect(
            await code { try await base.createInvalidation(tenantId: acme, callerReference: "r", paths: ["/a"]) }
                == "AccessDenied")
        #expect(await code { try await asWrongRole.getDistributionTenant(id: acme) } == "AccessDenied")
        #expect(await code { try await withoutToken.getDistributionTenant(id: acme) } == "InvalidClientTokenId")
        #expect(await code { try await withoutToken.listDistributions(marker: nil) } == "InvalidClientTokenId")
        clock.advance(by: .seconds(899))
        #expect(try await asRole.getDistributionTenant(id: acme).id == acme)
        clock.advance(by: .seconds(1))
        #expect(await code { try await asRole.getDistributionTenant(id: acme) } == "ExpiredToken")
        #expect(
            await code {
                try await asRole.createInvalidation(distributionId: "ESTANDARD", callerReference: "s", paths: ["/a"])
            } == "ExpiredToken")
        #expect(
            try await base.createInvalidation(distributionId: "ESTANDARD", callerReference: "s", paths: ["/a"]).id != ""
        )
    }

    @Test("fault injection sees the tenant operations, with the tenant and its distribution; scripts by tenant id")
    func faults() async throws {
        let client = try client()
        let seen = Mutex<[String]>([])
        await cloudFront.injectFaults { info in
            seen.withLock { $0.append("\(info.operation) \(info.distributionId ?? "-") \(info.tenantId ?? "-")") }
            return info.operation == "ListInvalidationsForDistributionTenant" ? .throttling : nil
        }
        let created = try await client.createInvalidation(tenantId: acme, callerReference: "r", paths: ["/a"])
        _ = try await client.getInvalidation(tenantId: acme, id: created.id)
        _ = try await client.getDistributionTenant(id: globex)
        _ = try await client.listDistributionTenants(distributionId: "EMULTI1")
        _ = try await client.listDistributions(connectionMode: .tenantOnly, marker: nil)
        #expect(await code { try await client.listInvalidations(tenantId: acme) } == "Throttling")
        #expect(await code { try await client.getDistributionTenant(id: "dt_none") } == "EntityNotFound")
        #expect(
            seen.withLock { $0 } == [
                "CreateInvalidationForDistributionTenant EMULTI1 \(acme)",
                "GetInvalidationForDistributionTenant EMULTI1 \(acme)", "GetDistributionTenant EMULTI1 \(globex)",
                "ListDistributionTenants - -", "ListDistributionsByConnectionMode - -",
                "ListInvalidationsForDistributionTenant EMULTI1 \(acme)", "GetDistributionTenant - dt_none",
            ])
        await cloudFront.injectFaults(nil)
        await cloudFront.script(globex, faults: [.serviceUnavailable])
        await cloudFront.script(FakeCloudFront.tenantListFaultKey, faults: [.accessDenied])
        #expect(
            await code { try await client.createInvalidation(tenantId: globex, callerReference: "g", paths: ["/g"]) }
                == "ServiceUnavailable")
        #expect(try await client.createInvalidation(tenantId: globex, callerReference: "g", paths: ["/g"]).id != "")
        #expect(await code { try await client.listDistributionTenants(distributionId: nil) } == "AccessDenied")
        #expect(try await client.listDistributions(marker: nil).distributions.count == 1, "the list key is apart")
    }
}

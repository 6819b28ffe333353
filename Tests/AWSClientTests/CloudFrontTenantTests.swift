import AWSClient
import AWSTestSupport
import Testing

/// The tenant operations of CloudFront, against requests and answers shaped as botocore's CloudFront model
/// (`cloudfront/2020-05-31/service-2.json`) and the API reference write them, not as our fake does: the fake and the
/// client must not agree on a wrong element name.
@Suite("CloudFront tenant operations")
struct CloudFrontTenantTests {
    static let namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/"

    static func client(_ responses: [Result<HTTPResponse, AWSError>]) throws -> (CloudFrontClient, FakeTransport) {
        let fake = FakeTransport(responses)
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(
                region: "us-east-1", credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b")),
            transport: fake)
        return (client, fake)
    }

    static let invalidation = Self.invalidationXML(status: "InProgress")

    static func invalidationXML(status: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Invalidation xmlns=\"\(namespace)\"><Id>I2J0I21PCUYOIK</Id>"
            + "<Status>\(status)</Status><CreateTime>2025-05-23T16:16:15.691Z</CreateTime><InvalidationBatch><Paths>"
            + "<Quantity>2</Quantity><Items><Path>/acme/index.html</Path><Path>/acme/*</Path></Items></Paths>"
            + "<CallerReference>ref-1</CallerReference></InvalidationBatch></Invalidation>"
    }

    static func error(_ status: Int, _ code: String) -> Result<HTTPResponse, AWSError> {
        .success(
            .text(
                status,
                "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"\(namespace)\"><Error><Type>Sender</Type>"
                    + "<Code>\(code)</Code><Message>m</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"))
    }

    @Test("CreateInvalidationForDistributionTenant: POST …/distribution-tenant/{Id}/invalidation, the batch, 201")
    func create() async throws {
        let (client, fake) = try Self.client([.success(.text(201, Self.invalidation))])
        let invalidation = try await client.createInvalidation(
            tenantId: "dt_2yMvQgam3QkJo2z54FDl91dk1AB", callerReference: "ref-1",
            paths: ["/acme/index.html", "/acme/*"])
        #expect(invalidation.id == "I2J0I21PCUYOIK" && invalidation.status == "InProgress")
        #expect(invalidation.paths == ["/acme/index.html", "/acme/*"] && invalidation.callerReference == "ref-1")
        let request = try #require(fake.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/2020-05-31/distribution-tenant/dt_2yMvQgam3QkJo2z54FDl91dk1AB/invalidation")
        #expect(request.query.isEmpty)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InvalidationBatch xmlns=\"\(Self.namespace)\"><Paths>"
                + "<Quantity>2</Quantity><Items><Path>/acme/index.html</Path><Path>/acme/*</Path></Items></Paths>"
                + "<CallerReference>ref-1</CallerReference></InvalidationBatch>")
        #expect(
            request.headers.contains { $0.name.lowercased() == "authorization" && $0.value.contains("/cloudfront/") })
    }

    @Test("GetInvalidationForDistributionTenant: GET …/distribution-tenant/{DistributionTenantId}/invalidation/{Id}")
    func get() async throws {
        let completed = Self.invalidationXML(status: "Completed")
        let (client, fake) = try Self.client([.success(.text(200, completed))])
        let invalidation = try await client.getInvalidation(tenantId: "dt_1", id: "I2J0I21PCUYOIK")
        #expect(invalidation.isCompleted)
        let request = try #require(fake.requests.first)
        #expect(request.method == "GET" && request.body.isEmpty)
        #expect(request.path == "/2020-05-31/distribution-tenant/dt_1/invalidation/I2J0I21PCUYOIK")
    }

    @Test("ListInvalidationsForDistributionTenant: Marker and MaxItems in the query; an InvalidationList answer")
    func list() async throws {
        let page =
            "<?xml version=\"1.0\"?><InvalidationList xmlns=\"\(Self.namespace)\"><Marker>I0</Marker>"
            + "<NextMarker>I2</NextMarker><MaxItems>2</MaxItems><IsTruncated>true</IsTruncated><Quantity>2</Quantity>"
            + "<Items><InvalidationSummary><Id>I1</Id><CreateTime>2025-05-23T16:16:15Z</CreateTime>"
            + "<Status>Completed</Status></InvalidationSummary><InvalidationSummary><Id>I2</Id>"
            + "<CreateTime>2025-05-23T16:10:00Z</CreateTime><Status>InProgress</Status></InvalidationSummary>"
            + "</Items></InvalidationList>"
        let (client, fake) = try Self.client([.success(.text(200, page))])
        let result = try await client.listInvalidations(tenantId: "dt_1", marker: "I0", maxItems: 2)
        #expect(result.invalidations.map(\.id) == ["I1", "I2"] && result.nextMarker == "I2")
        let request = try #require(fake.requests.first)
        #expect(request.path == "/2020-05-31/distribution-tenant/dt_1/invalidation")
        #expect(request.query == [QueryItem("Marker", "I0"), QueryItem("MaxItems", "2")])
    }

    @Test("ListDistributionTenants: POST /2020-05-31/distribution-tenants with a ListDistributionTenantsRequest body")
    func listTenants() async throws {
        let answer =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListDistributionTenantsResult xmlns=\"\(Self.namespace)\">"
            + "<DistributionTenantList><DistributionTenantSummary><Id>dt_A</Id><DistributionId>E1XNX8R2GOAABC"
            + "</DistributionId><Name>acme</Name><Arn>arn:aws:cloudfront::123456789012:distribution-tenant/dt_A</Arn>"
            + "<Domains><DomainResult><Domain>acme.example.com</Domain><Status>active</Status></DomainResult>"
            + "<DomainResult><Domain>www.acme.example.com</Domain><Status>inactive</Status></DomainResult></Domains>"
            + "<CreatedTime>2025-05-23T16:16:15Z</CreatedTime><LastModifiedTime>2025-05-23T16:16:15Z"
            + "</LastModifiedTime><ETag>E1</ETag><Enabled>false</Enabled><Status>InProgress</Status>"
            + "</DistributionTenantSummary><DistributionTenantSummary><Id>dt_B</Id><DistributionId>E1XNX8R2GOAABC"
            + "</DistributionId><Name>globex</Name><Arn>a</Arn><Domains><member><Domain>globex.example.com</Domain>"
            + "</member></Domains><Enabled>true</Enabled><Status>Deployed</Status></DistributionTenantSummary>"
            + "</DistributionTenantList><NextMarker>opaque==</NextMarker></ListDistributionTenantsResult>"
        let (client, fake) = try Self.client([.success(.text(200, answer))])
        let page = try await client.listDistributionTenants(distributionId: "E1XNX8R2GOAABC", marker: "m&1")
        #expect(page.nextMarker == "opaque==")
        #expect(
            page.tenants == [
                DistributionTenantSummary(
                    id: "dt_A", distributionId: "E1XNX8R2GOAABC", name: "acme",
                    arn: "arn:aws:cloudfront::123456789012:distribution-tenant/dt_A",
                    domains: ["acme.example.com", "www.acme.example.com"], enabled: false, status: "InProgress"),
                DistributionTenantSummary(
                    id: "dt_B", distributionId: "E1XNX8R2GOAABC", name: "globex", arn: "a",
                    domains: ["globex.example.com"], enabled: true, status: "Deployed"),
            ])
        let request = try #require(fake.requests.first)
        #expect(request.method == "POST" && request.path == "/2020-05-31/distribution-tenants" && request.query.isEmpty)
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListDistributionTenantsRequest xmlns=\"\(Self.namespace)\">"
                + "<AssociationFilter><DistributionId>E1XNX8R2GOAABC</DistributionId></AssociationFilter>"
                + "<Marker>m&amp;1</Marker><MaxItems>100</MaxItems></ListDistributionTenantsRequest>")
        #expect(
            CloudFrontClient.listDistributionTenantsXML(distributionId: nil, marker: nil, maxItems: 5)
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListDistributionTenantsRequest xmlns=\"\(Self.namespace)\">"
                + "<MaxItems>5</MaxItems></ListDistributionTenantsRequest>")
    }

    @Test("ListDistributionTenants: the last page has no NextMarker; an empty list is no tenant")
    func lastPage() async throws {
        let answer =
            "<ListDistributionTenantsResult xmlns=\"\(Self.namespace)\"><DistributionTenantList/>"
            + "</ListDistributionTenantsResult>"
        let (client, _) = try Self.client([.success(.text(200, answer))])
        let page = try await client.listDistributionTenants(distributionId: nil)
        #expect(page.tenants.isEmpty && page.nextMarker == nil)
    }

    @Test("GetDistributionTenant: the tenant's parameters in order, its domains, state and distribution")
    func getTenant() async throws {
        let answer =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DistributionTenant xmlns=\"\(Self.namespace)\">"
            + "<Id>dt_A</Id><DistributionId>E1XNX8R2GOAABC</DistributionId><Name>acme</Name><Arn>arn</Arn>"
            + "<Domains><DomainResult><Domain>acme.example.com</Domain><Status>active</Status></DomainResult>"
            + "</Domains><Tags><Items/></Tags><Customizations><WebAcl><Action>disable</Action></WebAcl>"
            + "</Customizations><Parameters><Parameter><Name>tenantName</Name><Value>acme</Value></Parameter>"
            + "<Parameter><Name>env</Name><Value>a&amp;b/{{x}}</Value></Parameter></Parameters>"
            + "<ConnectionGroupId>cg_1</ConnectionGroupId><CreatedTime>2025-05-23T16:16:15Z</CreatedTime>"
            + "<LastModifiedTime>2025-05-23T16:16:15Z</LastModifiedTime><Enabled>true</Enabled>"
            + "<Status>Deployed</Status></DistributionTenant>"
        let (client, fake) = try Self.client([.success(.text(200, answer, headers: [HTTPHeader("ETag", "E2")]))])
        let tenant = try await client.getDistributionTenant(id: "dt_A")
        #expect(tenant.id == "dt_A" && tenant.distributionId == "E1XNX8R2GOAABC" && tenant.name == "acme")
        #expect(tenant.domains == ["acme.example.com"] && tenant.enabled == true && tenant.status == "Deployed")
        #expect(
            tenant.parameters == [
                TenantParameter(name: "tenantName", value: "acme"), TenantParameter(name: "env", value: "a&b/{{x}}"),
            ])
        #expect(tenant.parameterValues == ["tenantName": "acme", "env": "a&b/{{x}}"])
        let defaults = [
            TenantParameterDefinition(name: "env", required: false, defaultValue: "prod"),
            TenantParameterDefinition(name: "region", required: false, defaultValue: "eu-west-1"),
            TenantParameterDefinition(name: "bucket", required: true),
        ]
        #expect(
            tenant.parameterValues(withDefaults: defaults)
                == ["tenantName": "acme", "env": "a&b/{{x}}", "region": "eu-west-1"],
            "the tenant's own value wins; a default fills a gap; no value and no default stays absent")
        let request = try #require(fake.requests.first)
        #expect(request.method == "GET" && request.path == "/2020-05-31/distribution-tenant/dt_A")
    }

    @Test("GetDistributionTenant by ARN: the identifier is one encoded path segment")
    func getTenantByARN() async throws {
        let answer = "<DistributionTenant><Id>dt_A</Id><DistributionId>E1</DistributionId></DistributionTenant>"
        let (client, fake) = try Self.client([.success(.text(200, answer))])
        let tenant = try await client.getDistributionTenant(
            id: "arn:aws:cloudfront::123456789012:distribution-tenant/dt_A")
        #expect(tenant.parameters.isEmpty && tenant.enabled == nil)
        #expect(
            fake.requests.first?.path
                == "/2020-05-31/distribution-tenant/arn%3Aaws%3Acloudfront%3A%3A123456789012%3Adistribution-tenant%2Fdt_A"
        )
    }

    @Test(
        "a tenant answer without an id, or not a DistributionTenant, is a malformed response",
        arguments: ["<DistributionTenant><Name>x</Name></DistributionTenant>", "<Invalidation/>", "not xml"])
    func malformedTenant(body: String) async throws {
        let (client, _) = try Self.client([.success(.text(200, body))])
        await #expect {
            try await client.getDistributionTenant(id: "dt_A")
        } throws: {
            ($0 as? AWSError)?.code == "MalformedResponse" && ($0 as? AWSError)?.operation == "GetDistributionTenant"
        }
    }

    @Test(
        "errors from the model's shapes come back with their code, status and the tenant operation's name",
        arguments: [
            (404, "EntityNotFound"), (403, "AccessDenied"), (400, "TooManyInvalidationsInProgress"),
            (413, "BatchTooLarge"), (400, "InvalidArgument"), (403, "ExpiredToken"),
        ])
    func errors(status: Int, code: String) async throws {
        let (client, fake) = try Self.client([Self.error(status, code)])
        await #expect {
            try await client.createInvalidation(tenantId: "dt_A", callerReference: "r", paths: ["/a"])
        } throws: { error in
            let error = error as? AWSError
            return error?.code == code && error?.statusCode == status
                && error?.operation == "CreateInvalidationForDistributionTenant" && error?.requestId == "r-1"
        }
        #expect(fake.requests.count == 1, "not retried")
    }

    @Test("EntityNotFound from the listing and reading operations too")
    func notFound() async throws {
        let (client, _) = try Self.client([
            Self.error(404, "EntityNotFound"), Self.error(404, "EntityNotFound"), Self.error(404, "NoSuchInvalidation"),
        ])
        await #expect(throws: AWSError.self) { try await client.listDistributionTenants(distributionId: "E9") }
        await #expect {
            try await client.getDistributionTenant(id: "dt_none")
        } throws: {
            ($0 as? AWSError)?.code == "EntityNotFound" && ($0 as? AWSError)?.operation == "GetDistributionTenant"
        }
        await #expect {
            try await client.getInvalidation(tenantId: "dt_A", id: "I9")
        } throws: {
            ($0 as? AWSError)?.code == "NoSuchInvalidation"
        }
    }

    @Test("ConnectionMode: read from ListDistributions summaries and GetDistributionConfig, with TenantConfig")
    func connectionMode() async throws {
        let list =
            "<DistributionList xmlns=\"\(Self.namespace)\"><Marker></Marker><MaxItems>100</MaxItems>"
            + "<IsTruncated>false</IsTruncated><Quantity>2</Quantity><Items><DistributionSummary><Id>E1</Id>"
            + "<DomainName>-</DomainName><Origins><Quantity>1</Quantity><Items><Origin><Id>o</Id>"
            + "<DomainName>shared.s3.us-east-1.amazonaws.com</DomainName><OriginPath>/{{tenantName}}</OriginPath>"
            + "</Origin></Items></Origins><Enabled>true</Enabled><Staging>false</Staging>"
            + "<ConnectionMode>tenant-only</ConnectionMode></DistributionSummary><DistributionSummary><Id>E2</Id>"
            + "<DomainName>d.cloudfront.net</DomainName><Enabled>true</Enabled></DistributionSummary></Items>"
            + "</DistributionList>"
        let config =
            "<DistributionConfig xmlns=\"\(Self.namespace)\"><CallerReference>c</CallerReference><Origins>"
            + "<Quantity>0</Quantity></Origins><Enabled>true</Enabled><ConnectionMode>tenant-only</ConnectionMode>"
            + "<TenantConfig><ParameterDefinitions><member><Name>tenantName</Name><Definition><StringSchema>"
            + "<Comment>c</Comment><Required>true</Required></StringSchema></Definition></member><member>"
            + "<Name>env</Name><Definition><StringSchema><DefaultValue>prod</DefaultValue><Required>false</Required>"
            + "</StringSchema></Definition></member></ParameterDefinitions></TenantConfig></DistributionConfig>"
        let (client, fake) = try Self.client([
            .success(.text(200, list)), .success(.text(200, config)), .success(.text(200, list)),
        ])
        let page = try await client.listDistributions(marker: nil)
        #expect(page.distributions.map(\.connectionMode) == [.tenantOnly, nil])
        #expect(page.distributions.map(\.isMultiTenant) == [true, false])
        #expect(page.distributions.first?.origins?.first?.originPath == "/{{tenantName}}")
        let read = try await client.getDistributionConfig(id: "E1")
        #expect(read.connectionMode == .tenantOnly && read.isMultiTenant)
        #expect(
            read.tenantParameters == [
                TenantParameterDefinition(name: "tenantName", required: true),
                TenantParameterDefinition(name: "env", required: false, defaultValue: "prod"),
            ])
        _ = try await client.listDistributions(connectionMode: .tenantOnly, marker: "E0", maxItems: 10)
        let request = try #require(fake.requests.last)
        #expect(request.method == "GET" && request.path == "/2020-05-31/distributionsByConnectionMode/tenant-only")
        #expect(request.query == [QueryItem("Marker", "E0"), QueryItem("MaxItems", "10")])
        // Existing initialisers keep working: no mode is a standard distribution.
        let summary = DistributionSummary(id: "E3", domainName: "d", enabled: true, origins: nil)
        #expect(summary.connectionMode == nil && !summary.isMultiTenant)
        #expect(!DistributionConfig(enabled: true, origins: []).isMultiTenant)
    }
}

import AWSClient
import FoundationEssentials

/// Multi-tenant distributions (CloudFront SaaS Manager) and accounts, on top of the distribution operations.
///
/// A multi-tenant distribution (`ConnectionMode` `tenant-only`) is listed by `ListDistributionsByConnectionMode`,
/// not by `ListDistributions` (the stricter reading of a point the API reference leaves open: code that asks for
/// both and merges them passes either way); its tenants are listed by `ListDistributionTenants` (an XML body, filtered
/// by `AssociationFilter.DistributionId`, paged by an opaque `NextMarker`) and read by `GetDistributionTenant` (by id,
/// name or ARN). A tenant's invalidations follow the distribution rules (CallerReference idempotency per tenant, path
/// validation, completion on the clock) and count toward the distribution's in-progress limits (`Limits`); they are
/// listed for the tenant only, never among the distribution's, and the distribution's never among the tenant's.
///
/// Accounts: a distribution (and so its tenants) may belong to an account; a request about it must then be signed by
/// a key of that account, or is `AccessDenied` (403). A key's account is the one the test registered
/// (`setAccount(_:forAccessKeyId:)`), or, for a key issued by the `FakeSTS` given to `trustCredentials(issuedBy:)`,
/// the assumed role's; such a key must come with its session token (`InvalidClientTokenId`) and within its lifetime
/// on the fake's clock (`ExpiredToken`, 403, as CloudFront and the other global services answer an expired session
/// token). The listings show only the caller's account's distributions and tenants, and those of no account.
extension FakeCloudFront {
    static let namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/"

    /// A distribution tenant the fake holds.
    public struct Tenant: Sendable, Equatable {
        /// `dt_…`.
        public var id: String
        public var distributionId: String
        public var name: String
        public var domains: [String]
        /// In the order given.
        public var parameters: [TenantParameter]
        public var enabled: Bool
    }

    /// Who signed a request, as far as accounts go.
    struct Caller: Sendable {
        var accessKeyId: String?
        /// nil: a key of no registered account.
        var account: String?
        /// For messages: the assumed role's ARN, or the account; never a secret.
        var principal: String
    }

    /// A refused request's answer.
    struct Refusal: Error {
        var reply: LoopbackReply
    }

    /// Adds a multi-tenant distribution (`ConnectionMode` `tenant-only`): origins may hold `{{name}}` placeholders;
    /// `parameters` are its `TenantConfig.ParameterDefinitions`.
    public func addMultiTenantDistribution(
        _ id: String, origins: [(domain: String, path: String)],
        parameters: [(name: String, required: Bool, defaultValue: String?)] = [], enabled: Bool = true,
        account: String? = nil, pollsUntilComplete: Int = 0
    ) async {
        await state.add(
            Distribution(
                id: id, enabled: enabled, origins: origins, summaryHasOrigins: true,
                pollsUntilComplete: pollsUntilComplete, cacheTagHeader: nil, connectionMode: "tenant-only",
                parameterDefinitions: parameters, account: account))
    }

    /// Adds a tenant of the multi-tenant distribution `distributionId` (which must exist) and returns its id
    /// (`dt_` and 27 characters, as CloudFront's). `parameters` are kept in order.
    @discardableResult
    public func addTenant(
        distributionId: String, name: String, domains: [String], parameters: [(name: String, value: String)] = [],
        enabled: Bool = true
    ) async -> String {
        await state.addTenant(
            distributionId: distributionId, name: name, domains: domains,
            parameters: parameters.map { TenantParameter(name: $0.name, value: $0.value) }, enabled: enabled)
    }

    /// Requests signed with `accessKeyId` are the account `accountId`'s.
    public func setAccount(_ accountId: String, forAccessKeyId accessKeyId: String) async {
        await state.setKeyAccount(accountId, accessKeyId)
    }

    /// The distribution `distributionId` (made with either `addDistribution`) belongs to `accountId` from now on.
    public func setAccount(_ accountId: String, ofDistribution distributionId: String) async {
        await state.setDistributionAccount(accountId, distributionId)
    }

    /// Keys issued by `sts` are accepted as the assumed role's account, with their session token and lifetime
    /// checked.
    public func trustCredentials(issuedBy sts: FakeSTS) async { await state.setSTS(sts) }

    /// The tenants, in creation order.
    public var tenants: [Tenant] {
        get async { await state.tenants }
    }

    /// The invalidations made for `tenantId`, oldest first.
    public func invalidations(tenantId: String) async -> [Record] {
        await state.records.filter { $0.tenantId == tenantId }
    }

    static func tenantConfigXML(_ distribution: Distribution) -> String {
        var xml = distribution.connectionMode.map { "<ConnectionMode>\(XML.escape($0))</ConnectionMode>" } ?? ""
        guard !distribution.parameterDefinitions.isEmpty else { return xml }
        xml += "<TenantConfig><ParameterDefinitions>"
        for definition in distribution.parameterDefinitions {
            xml += "<member><Name>\(XML.escape(definition.name))</Name><Definition><StringSchema>"
            xml += definition.defaultValue.map { "<DefaultValue>\(XML.escape($0))</DefaultValue>" } ?? ""
            xml += "<Required>\(definition.required)</Required></StringSchema></Definition></member>"
        }
        return xml + "</ParameterDefinitions></TenantConfig>"
    }

    /// The members `DistributionTenant` and `DistributionTenantSummary` share, in the API reference's element names.
    static func tenantXML(_ tenant: Tenant, account: String?, parameters: Bool) -> String {
        var xml =
            "<Id>\(XML.escape(tenant.id))</Id><DistributionId>\(XML.escape(tenant.distributionId))</DistributionId>"
        xml += "<Name>\(XML.escape(tenant.name))</Name>"
        xml +=
            "<Arn>arn:aws:cloudfront::\(account ?? "123456789012"):distribution-tenant/\(XML.escape(tenant.id))</Arn>"
        xml += "<Domains>"
        for domain in tenant.domains {
            xml += "<DomainResult><Domain>\(XML.escape(domain))</Domain><Status>active</Status></DomainResult>"
        }
        xml += "</Domains>"
        if parameters {
            xml += "<Parameters>"
            for parameter in tenant.parameters {
                xml += "<Parameter><Name>\(XML.escape(parameter.name))</Name>"
                xml += "<Value>\(XML.escape(parameter.value))</Value></Parameter>"
            }
            xml += "</Parameters>"
        }
        return xml + "<Enabled>\(tenant.enabled)</Enabled><Status>Deployed</Status>"
    }
}

extension FakeCloudFront.State {
    static func tenantOperation(method: String, parts: [String]) -> String {
        switch (parts[1], method, parts.count) {
        case ("distribution-tenants", "POST", 2): return "ListDistributionTenants"
        case ("distributionsByConnectionMode", "GET", 3): return "ListDistributionsByConnectionMode"
        case ("distribution-tenant", "GET", 3): return "GetDistributionTenant"
        case ("distribution-tenant", "POST", 4) where parts[3] == "invalidation":
            return "CreateInvalidationForDistributionTenant"
        case ("distribution-tenant", "GET", 4) where parts[3] == "invalidation":
            return "ListInvalidationsForDistributionTenant"
        case ("distribution-tenant", "GET", 5) where parts[3] == "invalidation":
            return "GetInvalidationForDistributionTenant"
        default: return "Unknown"
        }
    }

    func setKeyAccount(_ account: String, _ accessKeyId: String) { keyAccounts[accessKeyId] = account }
    func setSTS(_ sts: FakeSTS) { self.sts = sts }

    func setDistributionAccount(_ account: String, _ distributionId: String) {
        distributionAccounts[distributionId] = account
        for index in catalogue.indices where catalogue[index].id == distributionId {
            catalogue[index].account = account
        }
    }

    func addTenant(
        distributionId: String, name: String, domains: [String], parameters: [TenantParameter], enabled: Bool
    ) -> String {
        precondition(
            catalogue.contains { $0.id == distributionId && $0.connectionMode == "tenant-only" },
            "addTenant: \(distributionId) is not a multi-tenant distribution of the fake")
        sequence += 1
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var seed = UInt64(sequence) &* 0x9E37_79B9_7F4A_7C15
        let suffix = (0..<27).map { _ in
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return alphabet[Int(seed >> 58) % alphabet.count]
        }
        let id = "dt_" + String(suffix)
        tenants.append(
            FakeCloudFront.Tenant(
                id: id, distributionId: distributionId, name: name, domains: domains, parameters: parameters,
                enabled: enabled))
        return id
    }

    /// The credentials `FakeSTS` issued for the request's key, if it issued them.
    func issuedCredentials(_ request: LoopbackRequest) async -> FakeSTS.Issued? {
        guard let sts,
            let key = request.header("authorization").flatMap(FakeSTS.credentialScope(ofAuthorization:))?.accessKeyId
        else { return nil }
        return await sts.issued(accessKeyId: key)
    }

    /// The caller's account; credentials STS issued must carry their session token and be unexpired.
    func authenticate(_ request: LoopbackRequest, issued: FakeSTS.Issued?) -> Result<
        FakeCloudFront.Caller, FakeCloudFront.Refusal
    > {
        let key = request.header("authorization").flatMap(FakeSTS.credentialScope(ofAuthorization:))?.accessKeyId
        guard let issued else {
            let account = key.flatMap { keyAccounts[$0] }
            return .success(
                FakeCloudFront.Caller(
                    accessKeyId: key, account: account,
                    principal: account.map { "a principal of \($0)" } ?? "the caller"))
        }
        guard request.header("x-amz-security-token") == issued.credentials.sessionToken else {
            return .failure(
                FakeCloudFront.Refusal(
                    reply: FakeCloudFront.error(
                        403, "InvalidClientTokenId", "The security token included in the request is invalid.")))
        }
        guard clock.now() < issued.expiration else {
            return .failure(
                FakeCloudFront.Refusal(
                    reply: FakeCloudFront.error(
                        403, "ExpiredToken", "The security token included in the request is expired")))
        }
        let arn = issued.roleArn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let account = arn.count == 6 ? String(arn[4]) : nil
        return .success(FakeCloudFront.Caller(accessKeyId: key, account: account, principal: issued.assumedRoleArn))
    }

    /// `AccessDenied` when `distribution` belongs to an account other than the caller's.
    func authorize(_ caller: FakeCloudFront.Caller, distribution: String, request: LoopbackRequest) -> LoopbackReply? {
        guard let owner = distributionAccounts[distribution], owner != caller.account else { return nil }
        let parts = request.path.split(separator: "/").map(String.init)
        let operation = Self.operation(method: request.method, parts: parts)
        let resource =
            parts.count >= 3 && parts[1] == "distribution-tenant"
            ? "distribution-tenant/\(parts[2])" : "distribution/\(distribution)"
        return FakeCloudFront.error(
            403, "AccessDenied",
            "User: \(caller.principal) is not authorized to perform: cloudfront:\(operation) on resource: "
                + "arn:aws:cloudfront::\(owner):\(resource)")
    }

    /// `/2020-05-31/distribution-tenant[s]…` and `/2020-05-31/distributionsByConnectionMode/{mode}`.
    func handleTenantRequest(_ request: LoopbackRequest, parts: [String], caller: FakeCloudFront.Caller)
        -> LoopbackReply
    {
        switch (parts[1], request.method, parts.count) {
        case ("distributionsByConnectionMode", "GET", 3):
            guard ["direct", "tenant-only"].contains(parts[2]) else {
                return FakeCloudFront.error(400, "InvalidArgument", "ConnectionMode must be direct or tenant-only")
            }
            return list(query: request.query, connectionMode: parts[2], caller: caller)
        case ("distribution-tenants", "POST", 2):
            return listTenants(body: request.body, caller: caller)
        case ("distribution-tenant", _, 3...5):
            break
        default:
            return FakeCloudFront.error(404, "NotFound", "no such resource \(request.path)")
        }
        // GetDistributionTenant takes the id, the name or the ARN (percent-encoded in the path); the others the id.
        let identifier = LoopbackRequest.decode(Substring(parts[2]))
        guard let tenant = tenants.first(where: { [$0.id, $0.name, tenantARN($0)].contains(identifier) }),
            parts.count == 3 || tenant.id == identifier
        else {
            return FakeCloudFront.error(404, "EntityNotFound", "The specified distribution tenant does not exist.")
        }
        if let refusal = authorize(caller, distribution: tenant.distributionId, request: request) { return refusal }
        switch (request.method, parts.count) {
        case ("GET", 3):
            let xml =
                "<?xml version=\"1.0\"?><DistributionTenant xmlns=\"\(FakeCloudFront.namespace)\">"
                + FakeCloudFront.tenantXML(
                    tenant, account: distributionAccounts[tenant.distributionId], parameters: true)
                + "</DistributionTenant>"
            return LoopbackReply(
                status: 200, headers: [("content-type", "text/xml"), ("etag", "E\(tenant.id.suffix(8))")], text: xml)
        case ("POST", 4) where parts[3] == "invalidation":
            return create(distribution: tenant.distributionId, tenant: tenant.id, body: request.body)
        case ("GET", 4) where parts[3] == "invalidation":
            return listInvalidations(distribution: tenant.distributionId, tenant: tenant.id, query: request.query)
        case ("GET", 5) where parts[3] == "invalidation":
            return get(distribution: tenant.distributionId, tenant: tenant.id, id: parts[4])
        default:
            return FakeCloudFront.error(405, "MethodNotAllowed", "\(request.method) \(request.path)")
        }
    }

    func tenantARN(_ tenant: FakeCloudFront.Tenant) -> String {
        "arn:aws:cloudfront::\(distributionAccounts[tenant.distributionId] ?? "123456789012"):distribution-tenant/"
            + tenant.id
    }

    /// `ListDistributionTenants`: the body is parsed as strictly as a request CloudFront would refuse; tenants in id
    /// order, of the caller's account's distributions (and those of none); `NextMarker` is opaque.
    func listTenants(body: [UInt8], caller: FakeCloudFront.Caller) -> LoopbackReply {
        listRequests += 1
        guard let root = try? XML.parse(body), root.localName == "ListDistributionTenantsRequest",
            root.attributes["xmlns"] == FakeCloudFront.namespace
        else {
            return FakeCloudFront.error(
                400, "MalformedXML", "body is not a ListDistributionTenantsRequest in CloudFront's namespace")
        }
        guard let maxItems = Int(root["MaxItems"] ?? "100"), (1...1000).contains(maxItems) else {
            return FakeCloudFront.error(400, "InvalidArgument", "MaxItems must be 1 to 1000")
        }
        let filter = root.child("AssociationFilter")?["DistributionId"]
        if let filter, !catalogue.contains(where: { $0.id == filter }) {
            return FakeCloudFront.error(404, "EntityNotFound", "The specified distribution does not exist.")
        }
        let visible = tenants.filter { tenant in
            let owner = distributionAccounts[tenant.distributionId]
            return (filter == nil || tenant.distributionId == filter) && (owner == nil || owner == caller.account)
        }
        .sorted { $0.id < $1.id }
        var rest = visible[...]
        if let marker = root["Marker"], !marker.isEmpty {
            guard marker.hasPrefix("next~"), let after = visible.firstIndex(where: { "next~" + $0.id == marker })
            else { return FakeCloudFront.error(400, "InvalidArgument", "Marker is not one this listing gave") }
            rest = visible[(after + 1)...]
        }
        let page = rest.prefix(maxItems)
        var xml = "<?xml version=\"1.0\"?><ListDistributionTenantsResult xmlns=\"\(FakeCloudFront.namespace)\">"
        xml += "<DistributionTenantList>"
        for tenant in page {
            xml += "<DistributionTenantSummary>"
            xml += FakeCloudFront.tenantXML(
                tenant, account: distributionAccounts[tenant.distributionId], parameters: false)
            xml += "</DistributionTenantSummary>"
        }
        xml += "</DistributionTenantList>"
        if rest.count > page.count, let last = page.last { xml += "<NextMarker>next~\(last.id)</NextMarker>" }
        return LoopbackReply(
            status: 200, headers: [("content-type", "text/xml")], text: xml + "</ListDistributionTenantsResult>")
    }
}

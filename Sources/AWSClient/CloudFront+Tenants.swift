/// Whether a distribution serves viewers itself (`direct`) or only through its distribution tenants
/// (`tenant-only`: a multi-tenant distribution, CloudFront SaaS Manager). An open set, so that a mode CloudFront
/// adds later still decodes.
public struct ConnectionMode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let direct = ConnectionMode(rawValue: "direct")
    public static let tenantOnly = ConnectionMode(rawValue: "tenant-only")

    public var description: String { rawValue }
}

/// One of a multi-tenant distribution's `TenantConfig.ParameterDefinitions`: a `{{name}}` its tenants may (or, when
/// required, must) give a value for.
public struct TenantParameterDefinition: Sendable, Equatable {
    public var name: String
    public var required: Bool
    /// `StringSchema.DefaultValue`: the value a tenant that gives none gets; nil when there is none.
    public var defaultValue: String?

    public init(name: String, required: Bool, defaultValue: String? = nil) {
        self.name = name
        self.required = required
        self.defaultValue = defaultValue
    }
}

/// A tenant's parameter (`Parameters.Parameter`), kept in the order CloudFront lists them.
public struct TenantParameter: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A distribution tenant as `ListDistributionTenants` summarises it (no parameters: ask `GetDistributionTenant`).
public struct DistributionTenantSummary: Sendable, Equatable {
    /// `dt_…`.
    public var id: String
    /// The multi-tenant distribution it belongs to.
    public var distributionId: String
    public var name: String
    public var arn: String
    public var domains: [String]
    /// nil when the answer does not say.
    public var enabled: Bool?
    /// `Deployed`, `InProgress`…; empty when the answer does not say.
    public var status: String

    public init(
        id: String, distributionId: String, name: String, arn: String = "", domains: [String], enabled: Bool?,
        status: String = ""
    ) {
        self.id = id
        self.distributionId = distributionId
        self.name = name
        self.arn = arn
        self.domains = domains
        self.enabled = enabled
        self.status = status
    }
}

/// A distribution tenant as `GetDistributionTenant` describes it.
public struct DistributionTenant: Sendable, Equatable {
    public var summary: DistributionTenantSummary
    /// In CloudFront's order.
    public var parameters: [TenantParameter]

    public init(summary: DistributionTenantSummary, parameters: [TenantParameter]) {
        self.summary = summary
        self.parameters = parameters
    }

    public var id: String { summary.id }
    public var distributionId: String { summary.distributionId }
    public var name: String { summary.name }
    public var domains: [String] { summary.domains }
    public var enabled: Bool? { summary.enabled }
    public var status: String { summary.status }

    /// The parameters by name (the first value of a name listed twice, which CloudFront does not allow anyway).
    public var parameterValues: [String: String] {
        parameters.reduce(into: [:]) { values, parameter in
            if values[parameter.name] == nil { values[parameter.name] = parameter.value }
        }
    }

    /// The values CloudFront substitutes for this tenant: its own, and for a parameter it does not set, the
    /// distribution's `DefaultValue` (`DistributionConfig.tenantParameters`). A parameter with neither stays absent,
    /// so that a `{{name}}` using it is reported missing rather than replaced by nothing.
    public func parameterValues(withDefaults definitions: [TenantParameterDefinition]) -> [String: String] {
        var values = parameterValues
        for definition in definitions where values[definition.name] == nil {
            if let defaultValue = definition.defaultValue { values[definition.name] = defaultValue }
        }
        return values
    }
}

/// One page of `ListDistributionTenants`.
public struct DistributionTenantListPage: Sendable, Equatable {
    public var tenants: [DistributionTenantSummary]
    /// The marker for the next page, when there is one.
    public var nextMarker: String?
}

/// The tenant operations of CloudFront's API (2020-05-31), shaped as botocore's model has them: invalidations of one
/// distribution tenant, and the tenants of a multi-tenant distribution with their parameters.
extension CloudFrontClient {
    /// `POST /2020-05-31/distribution-tenant/{Id}/invalidation` (`CreateInvalidationForDistributionTenant`, 201): the
    /// same `InvalidationBatch` body and `Invalidation` answer as `CreateInvalidation`. Paths go as given.
    public func createInvalidation(
        tenantId: String, callerReference: String, paths: [String], context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> Invalidation {
        let operation = "CreateInvalidationForDistributionTenant"
        let response = try await client.send(
            operation: operation, method: "POST", path: Self.tenantPath(tenantId) + "/invalidation",
            headers: [HTTPHeader("content-type", "text/xml")],
            body: Array(Self.invalidationBatchXML(callerReference: callerReference, paths: paths).utf8),
            context: context)
        return try parseInvalidation(response, operation: operation)
    }

    /// `GET /2020-05-31/distribution-tenant/{DistributionTenantId}/invalidation/{Id}`
    /// (`GetInvalidationForDistributionTenant`).
    public func getInvalidation(
        tenantId: String, id: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> Invalidation {
        let operation = "GetInvalidationForDistributionTenant"
        let response = try await client.send(
            operation: operation, method: "GET",
            path: Self.tenantPath(tenantId) + "/invalidation/" + uriEncode(id, encodeSlash: true), context: context)
        return try parseInvalidation(response, operation: operation)
    }

    /// `GET /2020-05-31/distribution-tenant/{Id}/invalidation?Marker=&MaxItems=`
    /// (`ListInvalidationsForDistributionTenant`): one page of the tenant's invalidations, newest first.
    public func listInvalidations(
        tenantId: String, marker: String? = nil, maxItems: Int = 100, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> InvalidationListPage {
        var query = [QueryItem("MaxItems", String(maxItems))]
        if let marker, !marker.isEmpty { query.insert(QueryItem("Marker", marker), at: 0) }
        let response = try await client.send(
            operation: "ListInvalidationsForDistributionTenant", method: "GET",
            path: Self.tenantPath(tenantId) + "/invalidation", query: query, context: context)
        return try parseInvalidationList(response, operation: "ListInvalidationsForDistributionTenant")
    }

    /// `POST /2020-05-31/distribution-tenants` (`ListDistributionTenants`): one page of the account's tenants, of
    /// `distributionId` only when given (`AssociationFilter.DistributionId`). The parameters travel in an XML body
    /// (`ListDistributionTenantsRequest`), not the query string.
    public func listDistributionTenants(
        distributionId: String?, marker: String? = nil, maxItems: Int = 100, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> DistributionTenantListPage {
        let body = Self.listDistributionTenantsXML(distributionId: distributionId, marker: marker, maxItems: maxItems)
        let response = try await client.send(
            operation: "ListDistributionTenants", method: "POST", path: "/2020-05-31/distribution-tenants",
            headers: [HTTPHeader("content-type", "text/xml")], body: Array(body.utf8), context: context)
        return try parseDistributionTenantList(response)
    }

    /// `GET /2020-05-31/distribution-tenant/{Identifier}` (`GetDistributionTenant`; the identifier may be the
    /// tenant's id, name or ARN).
    public func getDistributionTenant(
        id: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> DistributionTenant {
        let response = try await client.send(
            operation: "GetDistributionTenant", method: "GET", path: Self.tenantPath(id), context: context)
        return try parseDistributionTenant(response)
    }

    func parseDistributionTenant(_ response: HTTPResponse) throws(AWSError) -> DistributionTenant {
        let root = try parseRoot(response, operation: "GetDistributionTenant", expected: "DistributionTenant")
        guard let summary = Self.tenantSummary(root) else {
            throw AWSError(
                kind: .malformedResponse, code: "MalformedResponse",
                message: "response has no <DistributionTenant><Id>",
                statusCode: response.statusCode, requestId: response.requestId, service: "cloudfront",
                operation: "GetDistributionTenant")
        }
        let parameters = (root.child("Parameters")?.children ?? []).compactMap { element -> TenantParameter? in
            guard let name = element["Name"], !name.isEmpty else { return nil }
            return TenantParameter(name: name, value: element["Value"] ?? "")
        }
        return DistributionTenant(summary: summary, parameters: parameters)
    }

    /// `GET /2020-05-31/distributionsByConnectionMode/{ConnectionMode}?Marker=&MaxItems=`
    /// (`ListDistributionsByConnectionMode`): one page of the account's distributions in that mode, as a
    /// `DistributionList` like `ListDistributions`'s. `tenant-only` lists exactly the multi-tenant distributions.
    public func listDistributions(
        connectionMode: ConnectionMode, marker: String?, maxItems: Int = 100,
        context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> DistributionListPage {
        var query = [QueryItem("MaxItems", String(maxItems))]
        if let marker, !marker.isEmpty { query.insert(QueryItem("Marker", marker), at: 0) }
        let response = try await client.send(
            operation: "ListDistributionsByConnectionMode", method: "GET",
            path: "/2020-05-31/distributionsByConnectionMode/" + uriEncode(connectionMode.rawValue, encodeSlash: true),
            query: query, context: context)
        return try parseDistributionList(response, operation: "ListDistributionsByConnectionMode")
    }

    /// The request body of `ListDistributionTenants`, as botocore writes it (root `ListDistributionTenantsRequest` in
    /// CloudFront's namespace; members in the model's order; absent ones left out).
    public static func listDistributionTenantsXML(distributionId: String?, marker: String?, maxItems: Int) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        xml += "<ListDistributionTenantsRequest xmlns=\"\(namespace)\">"
        if let distributionId {
            xml +=
                "<AssociationFilter><DistributionId>\(XML.escape(distributionId))</DistributionId></AssociationFilter>"
        }
        if let marker, !marker.isEmpty { xml += "<Marker>\(XML.escape(marker))</Marker>" }
        return xml + "<MaxItems>\(maxItems)</MaxItems></ListDistributionTenantsRequest>"
    }

    func parseDistributionTenantList(_ response: HTTPResponse) throws(AWSError) -> DistributionTenantListPage {
        let root = try parseRoot(
            response, operation: "ListDistributionTenants", expected: "ListDistributionTenantsResult")
        let tenants = (root.child("DistributionTenantList")?.children ?? []).compactMap(Self.tenantSummary)
        let next = root["NextMarker"].flatMap { $0.isEmpty ? nil : $0 }
        return DistributionTenantListPage(tenants: tenants, nextMarker: next)
    }

    /// The members a summary and a tenant share; nil without an id. `Domains` holds `DomainResult` elements by the
    /// API reference and unnamed members by botocore's model: every child is read, whatever its name.
    static func tenantSummary(_ element: XMLElement) -> DistributionTenantSummary? {
        guard let id = element["Id"], !id.isEmpty else { return nil }
        let domains = (element.child("Domains")?.children ?? []).compactMap { $0["Domain"] }.filter { !$0.isEmpty }
        return DistributionTenantSummary(
            id: id, distributionId: element["DistributionId"] ?? "", name: element["Name"] ?? "",
            arn: element["Arn"] ?? "", domains: domains, enabled: element["Enabled"].map { $0 == "true" },
            status: element["Status"] ?? "")
    }

    static func tenantParameterDefinitions(_ element: XMLElement?) -> [TenantParameterDefinition] {
        (element?.child("ParameterDefinitions")?.children ?? []).compactMap { definition in
            guard let name = definition["Name"], !name.isEmpty else { return nil }
            let schema = definition.child("Definition")?.child("StringSchema")
            return TenantParameterDefinition(
                name: name, required: schema?["Required"] == "true", defaultValue: schema?["DefaultValue"])
        }
    }

    static func tenantPath(_ id: String) -> String {
        "/2020-05-31/distribution-tenant/" + uriEncode(id, encodeSlash: true)
    }
}

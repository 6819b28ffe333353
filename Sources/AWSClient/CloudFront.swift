/// An invalidation as CloudFront reports it.
public struct Invalidation: Sendable, Equatable {
    public var id: String
    /// `InProgress` or `Completed` (moto says `COMPLETED`: compare with `isCompleted`).
    public var status: String
    public var createTime: String
    public var callerReference: String
    public var paths: [String]

    public var isCompleted: Bool { status.lowercased() == "completed" }
}

/// An invalidation as `ListInvalidations` summarises it.
public struct InvalidationSummary: Sendable, Equatable {
    public var id: String
    public var createTime: String
    public var status: String

    public init(id: String, createTime: String, status: String) {
        self.id = id
        self.createTime = createTime
        self.status = status
    }

    public var isCompleted: Bool { status.lowercased() == "completed" }
}

/// One page of `ListInvalidations`.
public struct InvalidationListPage: Sendable, Equatable {
    public var invalidations: [InvalidationSummary]
    /// The marker for the next page, when there is one.
    public var nextMarker: String?
}

/// An origin of a distribution, as far as discovery needs it.
public struct DistributionOrigin: Sendable, Equatable {
    public var id: String
    public var domainName: String
    /// `""` when unset (the API always sends the element, empty).
    public var originPath: String

    public init(id: String, domainName: String, originPath: String) {
        self.id = id
        self.domainName = domainName
        self.originPath = originPath
    }
}

/// A distribution as `ListDistributions` summarises it.
public struct DistributionSummary: Sendable, Equatable {
    public var id: String
    public var domainName: String
    /// nil when the summary does not say (moto's summaries say nothing of it).
    public var enabled: Bool?
    /// nil when the summary lacks `Origins` (moto 5.2): ask `GetDistributionConfig`.
    public var origins: [DistributionOrigin]?
    /// `ConnectionMode`: `tenant-only` for a multi-tenant distribution; nil when the summary does not say (older
    /// answers, moto), which is a standard (`direct`) distribution.
    public var connectionMode: ConnectionMode?

    public init(
        id: String, domainName: String, enabled: Bool?, origins: [DistributionOrigin]?,
        connectionMode: ConnectionMode? = nil
    ) {
        self.id = id
        self.domainName = domainName
        self.enabled = enabled
        self.origins = origins
        self.connectionMode = connectionMode
    }

    /// Whether it serves viewers only through distribution tenants: invalidate its tenants, not it.
    public var isMultiTenant: Bool { connectionMode == .tenantOnly }
}

/// One page of `ListDistributions`.
public struct DistributionListPage: Sendable, Equatable {
    public var distributions: [DistributionSummary]
    /// The marker for the next page, when there is one.
    public var nextMarker: String?
}

/// What discovery needs of a distribution's configuration.
public struct DistributionConfig: Sendable, Equatable {
    public var enabled: Bool
    public var origins: [DistributionOrigin]
    /// `CacheTagConfig.HeaderName`: the origin response header CloudFront reads cache tags from; nil when the
    /// distribution has no `CacheTagConfig` (then it stores no tags, and an invalidation by tag purges nothing).
    public var cacheTagHeader: String?
    /// `ConnectionMode`; nil when the configuration does not say (a standard distribution).
    public var connectionMode: ConnectionMode?
    /// `TenantConfig.ParameterDefinitions` of a multi-tenant distribution: the `{{name}}`s its origins may use, with
    /// their defaults; empty otherwise.
    public var tenantParameters: [TenantParameterDefinition]

    public init(
        enabled: Bool, origins: [DistributionOrigin], cacheTagHeader: String? = nil,
        connectionMode: ConnectionMode? = nil, tenantParameters: [TenantParameterDefinition] = []
    ) {
        self.enabled = enabled
        self.origins = origins
        self.cacheTagHeader = cacheTagHeader
        self.connectionMode = connectionMode
        self.tenantParameters = tenantParameters
    }

    /// Whether it serves viewers only through distribution tenants.
    public var isMultiTenant: Bool { connectionMode == .tenantOnly }
}

/// CloudFront's REST-XML API (version 2020-05-31): the operations invalidation needs.
public struct CloudFrontClient: AWSServiceAPI {
    public static let service = AWSService.cloudFront
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.restXML
    static let namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
    public let client: AWSServiceClient

    /// Over a configured service client (one with another request timeout, say).
    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `POST /2020-05-31/distribution/{id}/invalidation`. Paths go as given: encoding them is the caller's job.
    public func createInvalidation(
        distributionId: String, callerReference: String, paths: [String], context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> Invalidation {
        let response = try await client.send(
            operation: "CreateInvalidation", method: "POST",
            path: "/2020-05-31/distribution/\(uriEncode(distributionId, encodeSlash: true))/invalidation",
            headers: [HTTPHeader("content-type", "text/xml")],
            body: Array(Self.invalidationBatchXML(callerReference: callerReference, paths: paths).utf8),
            context: context)
        return try parseInvalidation(response, operation: "CreateInvalidation")
    }

    /// `GET /2020-05-31/distribution/{id}/invalidation/{invalidationId}`.
    public func getInvalidation(
        distributionId: String, id: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> Invalidation {
        let response = try await client.send(
            operation: "GetInvalidation", method: "GET",
            path: "/2020-05-31/distribution/\(uriEncode(distributionId, encodeSlash: true))/invalidation/"
                + uriEncode(id, encodeSlash: true), context: context)
        return try parseInvalidation(response, operation: "GetInvalidation")
    }

    /// `GET /2020-05-31/distribution/{id}/invalidation?Marker=&MaxItems=`: one page of the distribution's
    /// invalidations, newest first (as CloudFront lists them).
    public func listInvalidations(
        distributionId: String, marker: String? = nil, maxItems: Int = 100, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> InvalidationListPage {
        var query = [QueryItem("MaxItems", String(maxItems))]
        if let marker, !marker.isEmpty { query.insert(QueryItem("Marker", marker), at: 0) }
        let response = try await client.send(
            operation: "ListInvalidations", method: "GET",
            path: "/2020-05-31/distribution/\(uriEncode(distributionId, encodeSlash: true))/invalidation",
            query: query, context: context)
        return try parseInvalidationList(response)
    }

    func parseInvalidationList(
        _ response: HTTPResponse, operation: String = "ListInvalidations"
    ) throws(AWSError) -> InvalidationListPage {
        let root = try parseRoot(response, operation: operation, expected: "InvalidationList")
        let summaries = root.child("Items")?.children(named: "InvalidationSummary") ?? []
        let invalidations = summaries.compactMap { summary -> InvalidationSummary? in
            guard let id = summary["Id"], !id.isEmpty else { return nil }
            return InvalidationSummary(
                id: id, createTime: summary["CreateTime"] ?? "", status: summary["Status"] ?? "")
        }
        let truncated = root["IsTruncated"] == "true"
        let next = root["NextMarker"].flatMap { $0.isEmpty ? nil : $0 }
        return InvalidationListPage(invalidations: invalidations, nextMarker: truncated ? next : nil)
    }

    /// `GET /2020-05-31/distribution?Marker=&MaxItems=`: one page of the account's distributions.
    public func listDistributions(
        marker: String?, maxItems: Int = 100, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> DistributionListPage {
        var query = [QueryItem("MaxItems", String(maxItems))]
        if let marker, !marker.isEmpty { query.insert(QueryItem("Marker", marker), at: 0) }
        let response = try await client.send(
            operation: "ListDistributions", method: "GET", path: "/2020-05-31/distribution", query: query,
            context: context)
        return try parseDistributionList(response)
    }

    func parseDistributionList(
        _ response: HTTPResponse, operation: String = "ListDistributions"
    ) throws(AWSError) -> DistributionListPage {
        let root = try parseRoot(response, operation: operation, expected: "DistributionList")
        let summaries = root.child("Items")?.children(named: "DistributionSummary") ?? []
        let distributions = summaries.compactMap { summary -> DistributionSummary? in
            guard let id = summary["Id"], !id.isEmpty else { return nil }
            return DistributionSummary(
                id: id, domainName: summary["DomainName"] ?? "", enabled: summary["Enabled"].map { $0 == "true" },
                origins: summary.child("Origins").map(Self.origins), connectionMode: Self.connectionMode(summary))
        }
        let truncated = root["IsTruncated"] == "true"
        let next = root["NextMarker"].flatMap { $0.isEmpty ? nil : $0 }
        return DistributionListPage(distributions: distributions, nextMarker: truncated ? next : nil)
    }

    /// `GET /2020-05-31/distribution/{id}/config`.
    public func getDistributionConfig(
        id: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> DistributionConfig {
        let response = try await client.send(
            operation: "GetDistributionConfig", method: "GET",
            path: "/2020-05-31/distribution/\(uriEncode(id, encodeSlash: true))/config", context: context)
        return try parseDistributionConfig(response)
    }

    func parseDistributionConfig(_ response: HTTPResponse) throws(AWSError) -> DistributionConfig {
        let root = try parseRoot(response, operation: "GetDistributionConfig", expected: "DistributionConfig")
        let header = root.child("CacheTagConfig")?["HeaderName"]
        return DistributionConfig(
            enabled: root["Enabled"] == "true", origins: root.child("Origins").map(Self.origins) ?? [],
            cacheTagHeader: header.flatMap { $0.isEmpty ? nil : $0 }, connectionMode: Self.connectionMode(root),
            tenantParameters: Self.tenantParameterDefinitions(root.child("TenantConfig")))
    }

    static func connectionMode(_ element: XMLElement) -> ConnectionMode? {
        element["ConnectionMode"].flatMap { $0.isEmpty ? nil : ConnectionMode(rawValue: $0) }
    }

    static func origins(_ element: XMLElement) -> [DistributionOrigin] {
        (element.child("Items")?.children(named: "Origin") ?? []).map {
            DistributionOrigin(
                id: $0["Id"] ?? "", domainName: $0["DomainName"] ?? "", originPath: $0["OriginPath"] ?? "")
        }
    }

    func parseRoot(_ response: HTTPResponse, operation: String, expected: String) throws(AWSError) -> XMLElement {
        do {
            let root = try XML.parse(response.body)
            guard root.localName == expected else {
                throw AWSError(
                    kind: .malformedResponse, code: "MalformedResponse", message: "response is not <\(expected)>",
                    statusCode: response.statusCode, requestId: response.requestId, service: "cloudfront",
                    operation: operation)
            }
            return root
        } catch let error as AWSError {
            throw error
        } catch {
            throw AWSError(
                kind: .malformedResponse, code: "MalformedResponse", message: "response is not XML (\(error))",
                statusCode: response.statusCode, requestId: response.requestId, service: "cloudfront",
                operation: operation)
        }
    }

    /// The request body, byte for byte as botocore writes it.
    public static func invalidationBatchXML(callerReference: String, paths: [String]) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InvalidationBatch xmlns=\"\(namespace)\"><Paths>"
        xml += "<Quantity>\(paths.count)</Quantity>"
        if !paths.isEmpty {
            xml += "<Items>"
            for path in paths { xml += "<Path>\(XML.escape(path))</Path>" }
            xml += "</Items>"
        }
        xml += "</Paths><CallerReference>\(XML.escape(callerReference))</CallerReference></InvalidationBatch>"
        return xml
    }

    func parseInvalidation(_ response: HTTPResponse, operation: String) throws(AWSError) -> Invalidation {
        let malformed = { (message: String) in
            AWSError(
                kind: .malformedResponse, code: "MalformedResponse", message: message,
                statusCode: response.statusCode, requestId: response.requestId, service: "cloudfront",
                operation: operation)
        }
        let root: XMLElement
        do {
            root = try XML.parse(response.body)
        } catch {
            throw malformed("response is not XML (\(error))")
        }
        guard root.localName == "Invalidation", let id = root["Id"], !id.isEmpty else {
            throw malformed("response has no <Invalidation><Id>")
        }
        let batch = root.child("InvalidationBatch")
        return Invalidation(
            id: id, status: root["Status"] ?? "", createTime: root["CreateTime"] ?? "",
            callerReference: batch?["CallerReference"] ?? "",
            paths: batch?.child("Paths")?.child("Items")?.children(named: "Path").map(\.text) ?? [])
    }
}

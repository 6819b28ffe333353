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

/// CloudFront's REST-XML API (version 2020-05-31): the operations invalidation needs.
public struct CloudFrontClient: Sendable {
    static let namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
    public let client: AWSServiceClient

    public init(configuration: AWSConfiguration, transport: any HTTPTransport) throws(EndpointError) {
        client = try AWSServiceClient(
            service: .cloudFront, configuration: configuration, transport: transport, errorProtocol: .restXML)
    }

    /// Over a configured service client (to change its timeout for one invocation, say).
    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `POST /2020-05-31/distribution/{id}/invalidation`. Paths go as given: encoding them is the caller's job.
    public func createInvalidation(
        distributionId: String, callerReference: String, paths: [String]
    ) async throws(AWSError) -> Invalidation {
        let response = try await client.send(
            operation: "CreateInvalidation", method: "POST",
            path: "/2020-05-31/distribution/\(uriEncode(distributionId, encodeSlash: true))/invalidation",
            headers: [HTTPHeader("content-type", "text/xml")],
            body: Array(Self.invalidationBatchXML(callerReference: callerReference, paths: paths).utf8))
        return try parseInvalidation(response, operation: "CreateInvalidation")
    }

    /// `GET /2020-05-31/distribution/{id}/invalidation/{invalidationId}`.
    public func getInvalidation(distributionId: String, id: String) async throws(AWSError) -> Invalidation {
        let response = try await client.send(
            operation: "GetInvalidation", method: "GET",
            path: "/2020-05-31/distribution/\(uriEncode(distributionId, encodeSlash: true))/invalidation/"
                + uriEncode(id, encodeSlash: true))
        return try parseInvalidation(response, operation: "GetInvalidation")
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

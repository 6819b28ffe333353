import FoundationEssentials
import JSONSupport

/// Signs and sends requests to one AWS service and turns error responses into `AWSError`.
///
/// The service clients (`CloudFrontClient`, `SSMClient`) are thin layers over this: they build the protocol's
/// body and read the answer, nothing else.
public struct AWSServiceClient: Sendable {
    public enum ErrorProtocol: Sendable {
        case restXML
        case json
    }

    public let service: AWSService
    public let endpoint: ServiceEndpoint
    let credentials: AWSCredentials
    let transport: any HTTPTransport
    let errorProtocol: ErrorProtocol
    let now: @Sendable () -> Date
    /// How long one request may take before it counts as a timeout.
    public var requestTimeout: Duration

    public init(
        service: AWSService, configuration: AWSConfiguration, transport: any HTTPTransport,
        errorProtocol: ErrorProtocol, requestTimeout: Duration = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(EndpointError) {
        self.service = service
        self.endpoint = try configuration.endpoint(for: service)
        self.credentials = configuration.credentials
        self.transport = transport
        self.errorProtocol = errorProtocol
        self.requestTimeout = requestTimeout
        self.now = now
    }

    /// Sends a signed request; a response outside 2xx becomes an `AWSError` decoded per the service's protocol.
    /// - Parameter path: the operation's path, percent-encoded, without the endpoint's prefix.
    public func send(
        operation: String, method: String, path: String, query: [QueryItem] = [], headers: [HTTPHeader] = [],
        body: [UInt8] = []
    ) async throws(AWSError) -> HTTPResponse {
        let request = signedRequest(method: method, path: path, query: query, headers: headers, body: body)
        let response: HTTPResponse
        do {
            response = try await transport.send(request, timeout: requestTimeout)
        } catch {
            var error = error
            error.service = service.rawValue
            error.operation = operation
            throw error
        }
        guard (200..<300).contains(response.statusCode) else {
            switch errorProtocol {
            case .restXML: throw AWSError.restXML(response, service: service.rawValue, operation: operation)
            case .json: throw AWSError.json(response, service: service.rawValue, operation: operation)
            }
        }
        return response
    }

    /// The request as it will be sent, signed now.
    public func signedRequest(
        method: String, path: String, query: [QueryItem], headers: [HTTPHeader], body: [UInt8]
    ) -> HTTPRequest {
        let fullPath = endpoint.pathPrefix + path
        var allHeaders = [HTTPHeader("host", endpoint.host)] + headers
        let signer = SigV4Signer(
            credentials: credentials, region: endpoint.signingRegion, service: service.signingName)
        allHeaders += signer.sign(
            method: method, path: fullPath, query: query.map { ($0.name, $0.value) }, headers: allHeaders,
            body: body, date: now())
        return HTTPRequest(
            method: method, origin: endpoint.origin, path: fullPath, query: query, headers: allHeaders, body: body)
    }

    /// A JSON 1.1 call (`POST /`, `X-Amz-Target: <target>`), answering the parsed response document.
    public func sendJSON(operation: String, target: String, body: JSONValue) async throws(AWSError) -> JSONValue {
        let response = try await send(
            operation: operation, method: "POST", path: "/",
            headers: [
                HTTPHeader("content-type", "application/x-amz-json-1.1"), HTTPHeader("x-amz-target", target),
            ],
            body: Array(JSON.serialize(body).utf8))
        if response.body.isEmpty { return .object([:]) }
        do {
            return try JSON.parse(response.body)
        } catch {
            throw AWSError(
                kind: .malformedResponse, code: "MalformedResponse", message: "response is not JSON (\(error))",
                statusCode: response.statusCode, requestId: response.requestId, service: service.rawValue,
                operation: operation)
        }
    }
}

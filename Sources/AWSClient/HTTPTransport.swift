import HTTP1
import NIOCore
import NIOHTTP1

/// An HTTP request as it goes on the wire.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// `scheme://host[:port]`.
    public var origin: String
    /// The path exactly as on the request line (percent-encoded).
    public var path: String
    /// Decoded name/value pairs; encoded once when sent.
    public var query: [QueryItem]
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(
        method: String, origin: String, path: String, query: [QueryItem] = [], headers: [HTTPHeader] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.origin = origin
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The full URL, query encoded as SigV4 encodes it (so the wire and the signature agree).
    public var url: String {
        guard !query.isEmpty else { return origin + path }
        return origin + path + "?"
            + query.map { uriEncode($0.name, encodeSlash: true) + "=" + uriEncode($0.value, encodeSlash: true) }
            .joined(separator: "&")
    }
}

/// A query parameter, decoded.
public struct QueryItem: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP response, body collected.
public struct HTTPResponse: Sendable, Equatable {
    public var statusCode: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(statusCode: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }

    /// The first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// AWS's request id, whichever header carries it.
    public var requestId: String? {
        header("x-amzn-requestid") ?? header("x-amz-request-id")
    }
}

/// Sends one request and collects the response. The seam where tests put a fake AWS.
public protocol HTTPTransport: Sendable {
    /// Throws `AWSError` of kind `.transport` or `.timeout` when no response arrives.
    func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse
}

/// The real transport: `HTTP1Client` (HTTP/1.1 over swift-nio, HTTPS through swift-nio-ssl), one shared pool of
/// connections for the life of the process (a warm Lambda reuses its connections).
public struct HTTP1Transport: HTTPTransport {
    /// Responses larger than this are an error (AWS's answers here are a few kilobytes).
    public static let maximumResponseBytes = 16 * 1024 * 1024

    let client: HTTP1Client

    public init(client: HTTP1Client = .shared) {
        self.client = client
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
        guard let origin = HTTP1Origin(request.origin) else {
            throw AWSError(
                kind: .transport, code: "ConnectionError", message: "not an http(s) origin: \(request.origin)",
                service: "", operation: "")
        }
        let target = String(request.url.dropFirst(request.origin.count))
        let nanoseconds =
            Int64(timeout.components.seconds) * 1_000_000_000 + Int64(timeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(
                method: HTTPMethod(rawValue: request.method), origin: origin, target: target,
                headers: request.headers.map { ($0.name, $0.value) },
                body: request.body,
                deadline: .now() + .nanoseconds(nanoseconds), responseLimit: Self.maximumResponseBytes)
            return HTTPResponse(
                statusCode: response.status, headers: response.headers.map { HTTPHeader($0.name, $0.value) },
                body: response.body)
        } catch .timeout {
            throw AWSError(
                kind: .timeout, code: "RequestTimeout", message: "no response within \(timeout)", service: "",
                operation: "")
        } catch {
            throw AWSError(
                kind: .transport, code: "ConnectionError", message: error.description, service: "", operation: "")
        }
    }
}

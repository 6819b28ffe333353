import AsyncHTTPClient
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

/// The real transport: async-http-client over swift-nio, HTTPS through swift-nio-ssl, one shared connection pool for
/// the life of the process (a warm Lambda reuses its connections).
public struct AsyncHTTPTransport: HTTPTransport {
    /// Responses larger than this are an error (AWS's answers here are a few kilobytes).
    public static let maximumResponseBytes = 16 * 1024 * 1024

    let client: HTTPClient

    public init(client: HTTPClient = Self.sharedClient) {
        self.client = client
    }

    /// The process's client: async-http-client's shared configuration, except that a connection that cannot be
    /// established fails the attempt at once, and a redirect is answered, not followed.
    ///
    /// By default async-http-client retries establishing a connection until the request's whole timeout has passed,
    /// so a refused or unreachable endpoint (an STS endpoint override pointing nowhere, a VPC without a route) cost
    /// every attempt its full timeout: start-up's whole budget, a pipeline job's report time. Failing at once leaves
    /// the decision to `Retry`, which backs off and retries connection errors within the caller's deadline. AWS's
    /// APIs answer rather than redirect; following a `Location` would send a signed request somewhere else.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let amount = TimeAmount.nanoseconds(
            Int64(timeout.components.seconds) * 1_000_000_000
                + Int64(timeout.components.attoseconds / 1_000_000_000))
        do {
            let response = try await client.execute(outgoing, timeout: amount)
            var body = try await response.body.collect(upTo: Self.maximumResponseBytes)
            let bytes = body.readBytes(length: body.readableBytes) ?? []
            return HTTPResponse(
                statusCode: Int(response.status.code),
                headers: response.headers.map { HTTPHeader($0.name, $0.value) }, body: bytes)
        } catch let error as HTTPClientError
            where error == .deadlineExceeded || error == .readTimeout
            || error == .connectTimeout
        {
            throw AWSError(
                kind: .timeout, code: "RequestTimeout", message: "no response within \(timeout) (\(error))",
                service: "", operation: "")
        } catch {
            throw AWSError(
                kind: .transport, code: "ConnectionError", message: String(describing: error), service: "",
                operation: "")
        }
    }
}

import AWSClient

/// Sends each request to the fake of its service, told by the first label of the host (`cloudfront`, `dynamodb`,
/// `sqs`): one transport for a handler whose clients speak to several fakes.
public struct RoutingTransport: HTTPTransport {
    public let routes: [String: any HTTPTransport]

    public init(_ routes: [String: any HTTPTransport]) {
        self.routes = routes
    }

    /// The service a request is for.
    public static func service(of request: HTTPRequest) -> String {
        let host = request.origin.split(separator: "/").last.map(String.init) ?? request.origin
        return host.split(separator: ".").first.map(String.init) ?? host
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
        guard let route = routes[Self.service(of: request)] else {
            throw AWSError(
                kind: .transport, code: "NoRoute", message: "no fake for \(request.origin)", service: "",
                operation: "")
        }
        return try await route.send(request, timeout: timeout)
    }
}

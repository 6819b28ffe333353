import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The Runtime API over HTTP/1.1 at `AWS_LAMBDA_RUNTIME_API`.
public struct HTTPRuntimeAPIClient: RuntimeAPIClient {
    let base: String
    let client: HTTPClient

    /// - Parameter endpoint: `host:port`, as `AWS_LAMBDA_RUNTIME_API` gives it.
    public init(endpoint: String, client: HTTPClient = .shared) {
        base = "http://\(endpoint)/2018-06-01"
        self.client = client
    }

    public func next() async throws(RuntimeAPIError) -> Invocation {
        // `next` blocks for as long as the sandbox waits for an event: no deadline worth the name.
        let response = try await execute(method: .GET, path: "/runtime/invocation/next", timeout: .hours(24 * 365))
        guard response.status == 200 else {
            throw RuntimeAPIError(message: "GET /runtime/invocation/next failed", statusCode: response.status)
        }
        guard let requestId = response.headers.first(name: "lambda-runtime-aws-request-id"), !requestId.isEmpty
        else {
            throw RuntimeAPIError(message: "GET /runtime/invocation/next: no Lambda-Runtime-Aws-Request-Id")
        }
        return Invocation(
            requestId: requestId,
            deadlineMilliseconds: response.headers.first(name: "lambda-runtime-deadline-ms").flatMap { Int64($0) }
                ?? 0,
            invokedFunctionArn: response.headers.first(name: "lambda-runtime-invoked-function-arn") ?? "",
            traceId: response.headers.first(name: "lambda-runtime-trace-id"),
            body: response.body)
    }

    public func respond(requestId: String, body: [UInt8]) async throws(RuntimeAPIError) {
        let path = "/runtime/invocation/\(requestId)/response"
        let response = try await execute(method: .POST, path: path, body: body, timeout: .seconds(30))
        guard response.status == 202 else {
            throw RuntimeAPIError(message: "POST \(path) failed", statusCode: response.status)
        }
    }

    public func fail(requestId: String, error: FunctionError) async throws(RuntimeAPIError) {
        let path = "/runtime/invocation/\(requestId)/error"
        try await postError(path: path, error: error)
    }

    public func initError(_ error: FunctionError) async throws(RuntimeAPIError) {
        try await postError(path: "/runtime/init/error", error: error)
    }

    private func postError(path: String, error: FunctionError) async throws(RuntimeAPIError) {
        let response = try await execute(
            method: .POST, path: path, body: Array(error.json.utf8),
            headers: [
                ("content-type", "application/vnd.aws.lambda.error+json"),
                ("lambda-runtime-function-error-type", error.errorType),
            ], timeout: .seconds(30))
        guard response.status == 202 else {
            throw RuntimeAPIError(message: "POST \(path) failed", statusCode: response.status)
        }
    }

    private struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    private func execute(
        method: HTTPMethod, path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
        timeout: TimeAmount
    ) async throws(RuntimeAPIError) -> Response {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(request, timeout: timeout)
            // Events are at most 6 MB (synchronous invokes); leave room.
            var buffer = try await response.body.collect(upTo: 8 * 1024 * 1024)
            return Response(
                status: Int(response.status.code), headers: response.headers,
                body: buffer.readBytes(length: buffer.readableBytes) ?? [])
        } catch {
            throw RuntimeAPIError(message: "\(method) \(path): \(error)")
        }
    }
}

import HTTP1
import NIOCore
import NIOHTTP1

/// The Runtime API over HTTP/1.1 at `AWS_LAMBDA_RUNTIME_API`.
public struct HTTPRuntimeAPIClient: RuntimeAPIClient {
    let origin: HTTP1Origin?
    let endpoint: String
    let client: HTTP1Client

    /// - Parameter endpoint: `host:port`, as `AWS_LAMBDA_RUNTIME_API` gives it.
    public init(endpoint: String, client: HTTP1Client = .shared) {
        origin = HTTP1Origin("http://\(endpoint)")
        self.endpoint = endpoint
        self.client = client
    }

    public func next() async throws(RuntimeAPIError) -> Invocation {
        // `next` blocks for as long as the sandbox waits for an event: no deadline worth the name.
        let response = try await execute(method: .GET, path: "/runtime/invocation/next", timeout: .hours(24 * 365))
        guard response.status == 200 else {
            throw RuntimeAPIError(message: "GET /runtime/invocation/next failed", statusCode: response.status)
        }
        guard let requestId = response.header("lambda-runtime-aws-request-id"), !requestId.isEmpty
        else {
            throw RuntimeAPIError(message: "GET /runtime/invocation/next: no Lambda-Runtime-Aws-Request-Id")
        }
        return Invocation(
            requestId: requestId,
            deadlineMilliseconds: response.header("lambda-runtime-deadline-ms").flatMap { Int64($0) }
                ?? 0,
            invokedFunctionArn: response.header("lambda-runtime-invoked-function-arn") ?? "",
            traceId: response.header("lambda-runtime-trace-id"),
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
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value
        }
    }

    private func execute(
        method: HTTPMethod, path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
        timeout: TimeAmount
    ) async throws(RuntimeAPIError) -> Response {
        guard let origin else {
            throw RuntimeAPIError(message: "AWS_LAMBDA_RUNTIME_API is not host:port: \(endpoint)")
        }
        do {
            // Events are at most 6 MB (synchronous invokes); leave room.
            let response = try await client.execute(
                method: method, origin: origin, target: "/2018-06-01" + path, headers: headers, body: body,
                deadline: .now() + timeout, responseLimit: 8 * 1024 * 1024)
            return Response(status: response.status, headers: response.headers, body: response.body)
        } catch {
            throw RuntimeAPIError(message: "\(method) \(path): \(error)")
        }
    }
}

import AWSClient
import Synchronization

/// A scripted AWS for tests: answers each request with the next scripted response, and records what it was sent.
public final class FakeTransport: HTTPTransport {
    private let state: Mutex<(responses: [Result<HTTPResponse, AWSError>], requests: [HTTPRequest])>

    public init(_ responses: [Result<HTTPResponse, AWSError>]) {
        state = Mutex((responses: responses, requests: []))
    }

    public var requests: [HTTPRequest] { state.withLock { $0.requests } }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
        let next = state.withLock { state -> Result<HTTPResponse, AWSError>? in
            state.requests.append(request)
            return state.responses.isEmpty ? nil : state.responses.removeFirst()
        }
        guard let next else {
            throw AWSError(
                kind: .transport, code: "NoScriptedResponse",
                message: "FakeTransport has no response for \(request.method) \(request.path)", service: "",
                operation: "")
        }
        return try next.get()
    }
}

extension HTTPResponse {
    /// A response with a text body.
    public static func text(_ statusCode: Int, _ body: String, headers: [HTTPHeader] = []) -> HTTPResponse {
        HTTPResponse(statusCode: statusCode, headers: headers, body: Array(body.utf8))
    }
}

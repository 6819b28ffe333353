import AWSClient
import JSONSupport

/// A fault the JSON-protocol fakes (`FakeDynamoDB`, `FakeSQS`) inject into a request, chosen by a test's injector.
///
/// The chaos tests need to tell apart "nothing happened" (`answer`, `reset`) from "it happened but the caller never
/// heard" (`afterWork`): the second is the crash or timeout after a write that a retry must survive.
public indirect enum FakeAWSFault: Sendable, Equatable {
    /// Answer this error; nothing is done. `code` is the error's short name (the fake adds its namespace).
    case answer(status: Int, code: String, message: String)
    /// Drop the connection before the request is read: a transport error, nothing is done.
    case reset
    /// Do the work, then answer as the inner fault says instead of with the result (`.afterWork(.reset)`: the write
    /// happened and the connection dropped before its answer).
    case afterWork(FakeAWSFault)

    /// DynamoDB's throttling answer.
    public static let provisionedThroughputExceeded = FakeAWSFault.answer(
        status: 400, code: "ProvisionedThroughputExceededException",
        message: "The level of configured provisioned throughput for the table was exceeded.")
    /// DynamoDB's (and the SDKs' retryable) server error.
    public static let internalServerError = FakeAWSFault.answer(
        status: 500, code: "InternalServerError", message: "Internal server error")
    /// SQS's throttling answer.
    public static let requestThrottled = FakeAWSFault.answer(
        status: 400, code: "RequestThrottled", message: "Rate exceeded")
    /// SQS's server error.
    public static let serviceUnavailable = FakeAWSFault.answer(
        status: 503, code: "ServiceUnavailable", message: "Service is unavailable")
}

/// The in-process transport of the JSON fakes: `serve` answers a response, or nil when the connection is dropped
/// (which `HTTP1Transport` reports as a transport error).
struct JSONFakeTransport: HTTPTransport {
    let serve: @Sendable (HTTPRequest) async -> HTTPResponse?

    func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
        guard let response = await serve(request) else {
            throw AWSError(
                kind: .transport, code: "ConnectionError", message: "connection reset by peer", service: "",
                operation: "")
        }
        return response
    }
}

/// What the JSON fakes share: error bodies, response headers, the CRC32 DynamoDB sends.
enum JSONFake {
    /// An AWS JSON 1.0 response: `x-amzn-requestid` and `x-amz-crc32` (the CRC32 of the body, in decimal, as
    /// DynamoDB sends it) always.
    static func response(
        status: Int, body: JSONValue, requestId: String, headers extra: [HTTPHeader] = []
    ) -> HTTPResponse {
        let bytes = Array(JSON.serialize(body).utf8)
        let headers =
            [
                HTTPHeader("content-type", "application/x-amz-json-1.0"), HTTPHeader("x-amzn-requestid", requestId),
                HTTPHeader("x-amz-crc32", String(crc32(bytes))),
                HTTPHeader("content-length", String(bytes.count)),
            ] + extra
        return HTTPResponse(statusCode: status, headers: headers, body: bytes)
    }

    /// The answer to a faulted request: nil for a dropped connection.
    static func faultReply(
        _ fault: FakeAWSFault, error: (Int, String, String) -> HTTPResponse
    ) -> HTTPResponse? {
        switch fault {
        case .answer(let status, let code, let message): return error(status, code, message)
        case .reset: return nil
        case .afterWork(let then): return faultReply(then, error: error)
        }
    }

    static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    /// CRC-32 (IEEE 802.3, the zlib one).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

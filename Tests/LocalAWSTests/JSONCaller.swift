import AWSClient
import FoundationEssentials
import JSONSupport
import Synchronization

/// Hand-built, SigV4-signed AWS JSON 1.0 requests to a fake's in-process transport: the real DynamoDB and SQS clients
/// are written elsewhere, so these tests speak the wire protocol themselves.
struct JSONCaller {
    /// An answer: its status, parsed body and headers.
    struct Answer {
        var status: Int
        var json: JSONValue
        var response: HTTPResponse

        /// The error's short code (`__type` after `#`), nil for a success.
        var code: String? {
            guard status >= 300, let type = json["__type"]?.string else { return nil }
            return String(type[type.index(after: type.lastIndex(of: "#") ?? type.startIndex)...])
        }
        var message: String { json["message"]?.string ?? json["Message"]?.string ?? "" }
        subscript(key: String) -> JSONValue? { json[key] }
    }

    let transport: any HTTPTransport
    /// `dynamodb` or `sqs`.
    let service: String
    /// `DynamoDB_20120810` or `AmazonSQS`.
    let targetPrefix: String
    var signed = true

    static func dynamoDB(_ transport: any HTTPTransport) -> JSONCaller {
        JSONCaller(transport: transport, service: "dynamodb", targetPrefix: "DynamoDB_20120810")
    }

    static func sqs(_ transport: any HTTPTransport) -> JSONCaller {
        JSONCaller(transport: transport, service: "sqs", targetPrefix: "AmazonSQS")
    }

    func request(_ operation: String, _ body: String) -> HTTPRequest {
        let bytes = Array(body.utf8)
        var headers = [
            HTTPHeader("host", "\(service).us-east-1.amazonaws.com"),
            HTTPHeader("content-type", "application/x-amz-json-1.0"),
            HTTPHeader("x-amz-target", "\(targetPrefix).\(operation)"),
        ]
        if signed {
            let signer = SigV4Signer(
                credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret"),
                region: "us-east-1", service: service)
            headers += signer.sign(method: "POST", path: "/", query: [], headers: headers, body: bytes, date: Date())
        }
        return HTTPRequest(
            method: "POST", origin: "https://\(service).us-east-1.amazonaws.com", path: "/", headers: headers,
            body: bytes)
    }

    /// Sends one request; a transport error is thrown.
    func call(_ operation: String, _ body: String) async throws -> Answer {
        let response = try await transport.send(request(operation, body), timeout: .seconds(10))
        let json = response.body.isEmpty ? JSONValue.object([:]) : try JSON.parse(response.body)
        return Answer(status: response.statusCode, json: json, response: response)
    }
}

/// `{"S": text}` and friends, for building DynamoDB JSON by interpolation.
func ddbString(_ text: String) -> String { JSON.serialize(.object(["S": .string(text)])) }

/// A value shared with a `@Sendable` closure (a fault injector, an `onSend` handler).
final class Locked<Value: Sendable>: Sendable {
    let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}

import Formats
import JSONSupport

/// Every failure of an AWS call, whatever the protocol: the service's error code and message, or what went wrong on
/// the way (connection, timeout, an unreadable response).
///
/// Its description names the service, operation, code, status and request id (what a person needs to act on it or
/// to quote to AWS support) and never a credential.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the failure happened.
    public enum Kind: String, Sendable {
        /// The service answered with an error.
        case service
        /// The request did not complete: connection refused or reset, TLS, DNS.
        case transport
        /// No answer within the request's time limit.
        case timeout
        /// The service answered success with a body we cannot read.
        case malformedResponse
        /// The request could not be built (configuration).
        case invalidRequest
    }

    public var kind: Kind
    /// The service's error code (`Throttling`, `AccessDenied`, `ParameterNotFound`…), or a descriptive code for the
    /// other kinds (`ConnectionError`, `RequestTimeout`, `MalformedResponse`).
    public var code: String
    public var message: String
    public var statusCode: Int?
    public var requestId: String?
    public var service: String
    public var operation: String
    /// For DynamoDB's `TransactionCanceledException`: each action's reason code, in the order the actions were sent
    /// (`None`, `ConditionalCheckFailed`, `TransactionConflict`…); nil for every other error. Codes only: the
    /// reasons' items and messages are not kept, so nothing read from the table reaches a log through this error.
    public var cancellationReasons: [String]?

    public init(
        kind: Kind, code: String, message: String, statusCode: Int? = nil, requestId: String? = nil,
        service: String, operation: String, cancellationReasons: [String]? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.statusCode = statusCode
        self.requestId = requestId
        self.service = service
        self.operation = operation
        self.cancellationReasons = cancellationReasons
    }

    public var description: String {
        var text = "\(service) \(operation) failed: \(code)"
        if !message.isEmpty { text += ": \(message)" }
        var details: [String] = []
        if let statusCode { details.append("HTTP \(statusCode)") }
        if let requestId, !requestId.isEmpty { details.append("request id \(requestId)") }
        if !details.isEmpty { text += " (\(details.joined(separator: ", ")))" }
        return text
    }

    /// Decodes a REST-XML error (`<ErrorResponse><Error><Code>…`, or S3's bare `<Error>`).
    static func restXML(_ response: HTTPResponse, service: String, operation: String) -> AWSError {
        var code = "HTTP\(response.statusCode)"
        var message = ""
        var requestId = response.requestId
        if let root = try? XML.parse(response.body) {
            let error = root.localName == "Error" ? root : root.child("Error")
            if let error {
                code = error["Code"]?.trimmingWhitespace() ?? code
                message = error["Message"]?.trimmingWhitespace() ?? ""
            }
            requestId =
                root["RequestId"]?.trimmingWhitespace() ?? error?["RequestId"]?.trimmingWhitespace() ?? requestId
        } else {
            message = bodyExcerpt(response.body)
        }
        return AWSError(
            kind: .service, code: code, message: message, statusCode: response.statusCode, requestId: requestId,
            service: service, operation: operation)
    }

    /// Decodes a JSON 1.0/1.1 error: the code from `X-Amzn-ErrorType`, `__type` or `code`, sanitised as the SDKs
    /// do (drop everything after `:` and up to the last `#`).
    ///
    /// SQS, a former Query service, also sends `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender`.
    /// botocore reports that legacy Query code for compatibility with its old clients; here the modeled name from
    /// `__type` (`QueueDoesNotExist`, as in botocore's `sqs` model) wins, and the Query code is only a fallback when
    /// nothing else names the error.
    static func json(_ response: HTTPResponse, service: String, operation: String) -> AWSError {
        let document = try? JSON.parse(response.body)
        let queryCode = response.header("x-amzn-query-error")?.split(separator: ";").first.map(String.init)
        let rawCode =
            response.header("x-amzn-errortype") ?? document?["__type"]?.string ?? document?["code"]?.string
            ?? queryCode ?? "HTTP\(response.statusCode)"
        let message =
            document?["message"]?.string ?? document?["Message"]?.string ?? document?["errorMessage"]?.string
            ?? (document == nil ? bodyExcerpt(response.body) : "")
        let code = sanitizeCode(rawCode)
        return AWSError(
            kind: .service, code: code, message: message, statusCode: response.statusCode,
            requestId: response.requestId, service: service, operation: operation,
            cancellationReasons: code == "TransactionCanceledException"
                ? cancellationReasons(document: document, message: message) : nil)
    }

    /// The reason codes of a `TransactionCanceledException`: its `CancellationReasons[].Code` (botocore's model), or,
    /// when the body lacks them, the bracketed list DynamoDB ends its message with
    /// (`Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]`).
    static func cancellationReasons(document: JSONValue?, message: String) -> [String]? {
        if let reasons = document?["CancellationReasons"]?.array {
            // An action without an error has the code `None`, or none at all.
            return reasons.map { reason in reason["Code"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? "None" }
        }
        guard message.hasSuffix("]"), let open = message.lastIndex(of: "[") else { return nil }
        let list = message[message.index(after: open)..<message.index(before: message.endIndex)]
        let codes = list.split(separator: ",").map { $0.trimmingWhitespace() }
        return codes.isEmpty || codes.contains(where: \.isEmpty) ? nil : codes
    }

    static func sanitizeCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return code.trimmingWhitespace()
    }

    /// The start of a body we could not parse (an HTML error page, say), on one line.
    static func bodyExcerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        let oneLine = text.split(whereSeparator: { $0.isNewline }).map { Substring($0).trimmingWhitespace() }
        return oneLine.joined(separator: " ") + (body.count > 200 ? "…" : "")
    }
}

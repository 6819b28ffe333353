import JSONSupport

/// One invocation, as `GET /runtime/invocation/next` delivers it.
public struct Invocation: Sendable, Equatable {
    public var requestId: String
    /// `Lambda-Runtime-Deadline-Ms`: when Lambda stops the invocation, in milliseconds since the epoch.
    public var deadlineMilliseconds: Int64
    public var invokedFunctionArn: String
    public var traceId: String?
    public var body: [UInt8]

    public init(
        requestId: String, deadlineMilliseconds: Int64, invokedFunctionArn: String = "", traceId: String? = nil,
        body: [UInt8]
    ) {
        self.requestId = requestId
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionArn = invokedFunctionArn
        self.traceId = traceId
        self.body = body
    }
}

/// An error reported to Lambda, for an invocation or for initialisation.
public struct FunctionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `Category.Reason`, e.g. `Runtime.ConfigurationError`.
    public var errorType: String
    public var errorMessage: String

    public init(errorType: String, errorMessage: String) {
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    public var description: String { "\(errorType): \(errorMessage)" }

    /// The body Lambda expects; valid JSON whatever the message holds (quotes, newlines, control characters).
    public var json: String {
        "{\"errorMessage\":\(JSON.quote(errorMessage)),\"errorType\":\(JSON.quote(errorType)),\"stackTrace\":[]}"
    }
}

/// A failure talking to the Runtime API itself.
public struct RuntimeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The HTTP status, when the Runtime API answered.
    public var statusCode: Int?

    public init(message: String, statusCode: Int? = nil) {
        self.message = message
        self.statusCode = statusCode
    }

    public var description: String {
        statusCode.map { "\(message) (HTTP \($0))" } ?? message
    }
}

/// The Lambda Runtime API, as the run loop needs it. Real over HTTP, fake in tests.
public protocol RuntimeAPIClient: Sendable {
    /// Blocks until Lambda has an event.
    func next() async throws(RuntimeAPIError) -> Invocation
    func respond(requestId: String, body: [UInt8]) async throws(RuntimeAPIError)
    func fail(requestId: String, error: FunctionError) async throws(RuntimeAPIError)
    /// Reports a start-up failure; the process exits afterwards.
    func initError(_ error: FunctionError) async throws(RuntimeAPIError)
}

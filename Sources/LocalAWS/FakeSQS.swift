import AWSClient
import Crypto
import Formats
import FoundationEssentials
import JSONSupport

/// SQS's `SendMessage` as documented, strict where moto is lax, over AWS JSON 1.0 (`X-Amz-Target:
/// AmazonSQS.SendMessage`), called in-process (`transport`): the function schedules its delayed flush with it.
///
/// Validation follows botocore's model (`sqs/2012-11-05/service-2.json`, `SendMessageRequest`): `MessageBody`
/// at least one character and at most 1 MiB (1,048,576 bytes; SQS raised it from 256 KiB in August 2025: the API
/// reference's `MessageBody` reads "The maximum size is 1 MiB or 1,048,576 bytes"), only the characters
/// `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF` (else `InvalidMessageContents`),
/// `DelaySeconds` 0 to 900 (else `InvalidParameterValue`). Message attributes, FIFO parameters and every other
/// operation are refused as unsupported. Each accepted message is handed to `onSend` and kept (`sent`).
public final class FakeSQS: Sendable {
    public typealias Fault = FakeAWSFault

    /// What a fault injector is told of each request.
    public struct RequestInfo: Sendable {
        /// The operation from `X-Amz-Target` (`SendMessage`).
        public var operation: String
        public var queueURL: String?
        public var time: Date
    }

    /// A message SQS accepted.
    public struct SentMessage: Sendable, Equatable {
        public var queueURL: String
        public var body: String
        public var delaySeconds: Int
        public var messageId: String
        /// When it was accepted, on the fake's clock.
        public var time: Date
        /// When it becomes visible: `time` plus `delaySeconds`.
        public var visibleAt: Date { time.addingTimeInterval(Double(delaySeconds)) }
    }

    /// How requests were answered.
    public struct Counters: Sendable, Equatable {
        public var requests = 0
        public var sent = 0
        public var rejected = 0
        public var faults = 0
    }

    /// SQS's largest message body, in bytes.
    public static let maximumMessageSize = 1_048_576
    /// SQS's longest delay, in seconds.
    public static let maximumDelaySeconds = 900

    let state: State

    /// `onSend` is told of each accepted message, in the request's task (before the answer).
    public init(clock: any AWSClock = SystemClock(), onSend: (@Sendable (SentMessage) -> Void)? = nil) {
        state = State(clock: clock, onSend: onSend)
    }

    /// The fake called in-process: a dropped connection is a transport error.
    public var transport: any HTTPTransport {
        let state = self.state
        return JSONFakeTransport { await state.serve($0) }
    }

    /// Makes `url` a queue `SendMessage` accepts (any other is `QueueDoesNotExist`).
    public func createQueue(url: String) async { await state.createQueue(url) }

    public func onSend(_ handler: (@Sendable (SentMessage) -> Void)?) async { await state.setOnSend(handler) }

    /// Every request's fault is asked of `injector`; nil removes it.
    public func injectFaults(_ injector: (@Sendable (RequestInfo) -> Fault?)?) async {
        await state.setInjector(injector)
    }

    /// Every accepted message, in order.
    public var sent: [SentMessage] {
        get async { await state.sent }
    }

    public var counters: Counters {
        get async { await state.counters }
    }

    /// The hex MD5 of the body's UTF-8 bytes, as `MD5OfMessageBody`.
    public static func md5(_ body: String) -> String { Hex.string(Array(Insecure.MD5.hash(data: Array(body.utf8)))) }

    /// SQS's allowed characters (the XML 1.0 `Char` production).
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// An SQS error: `__type` in SQS's namespace, and the query protocol's code in `x-amzn-query-error`, as SQS
    /// sends both for clients of either protocol.
    struct Failure: Error {
        var status = 400
        var code: String
        var queryCode: String
        var message: String

        static func invalidParameter(_ message: String) -> Failure {
            Failure(code: "InvalidParameterValue", queryCode: "InvalidParameterValue", message: message)
        }
        static func unsupported(_ what: String) -> Failure {
            Failure(
                code: "UnsupportedOperation", queryCode: "AWS.SimpleQueueService.UnsupportedOperation",
                message: "FakeSQS does not support \(what)")
        }

        func response(requestId: String) -> HTTPResponse {
            JSONFake.response(
                status: status,
                body: .object(["__type": .string("com.amazonaws.sqs#\(code)"), "message": .string(message)]),
                requestId: requestId, headers: [HTTPHeader("x-amzn-query-error", "\(queryCode);Sender")])
        }
    }
}

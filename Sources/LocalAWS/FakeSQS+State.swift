import AWSClient
import FoundationEssentials
import JSONSupport

extension FakeSQS {
    actor State {
        let clock: any AWSClock
        var onSend: (@Sendable (SentMessage) -> Void)?
        var injector: (@Sendable (RequestInfo) -> Fault?)?
        var queues: Set<String> = []
        var sent: [SentMessage] = []
        var counters = Counters()
        var sequence = 0

        init(clock: any AWSClock, onSend: (@Sendable (SentMessage) -> Void)?) {
            self.clock = clock
            self.onSend = onSend
        }

        func createQueue(_ url: String) { queues.insert(url) }
        func setOnSend(_ handler: (@Sendable (SentMessage) -> Void)?) { onSend = handler }
        func setInjector(_ injector: (@Sendable (RequestInfo) -> Fault?)?) { self.injector = injector }

        /// Answers a request, faults included: nil when the connection is dropped.
        func serve(_ request: HTTPRequest) -> HTTPResponse? {
            sequence += 1
            counters.requests += 1
            let requestId = Self.uuid(sequence, salt: 0x5EED)
            let target = request.headers.first { $0.name.lowercased() == "x-amz-target" }?.value ?? ""
            let operation = target.hasPrefix("AmazonSQS.") ? String(target.dropFirst("AmazonSQS.".count)) : "Unknown"
            let body = try? JSON.parse(request.body)
            let info = RequestInfo(operation: operation, queueURL: body?["QueueUrl"]?.string, time: clock.now())
            guard let fault = injector?(info) else {
                return handle(request, operation: operation, body: body, requestId: requestId)
            }
            counters.faults += 1
            if case .afterWork = fault { _ = handle(request, operation: operation, body: body, requestId: requestId) }
            return JSONFake.faultReply(fault) { status, code, message in
                Failure(status: status, code: code, queryCode: code, message: message).response(requestId: requestId)
            }
        }

        func handle(_ request: HTTPRequest, operation: String, body: JSONValue?, requestId: String) -> HTTPResponse {
            do {
                let answer = try sendMessage(request, operation: operation, body: body)
                return JSONFake.response(status: 200, body: answer, requestId: requestId)
            } catch {
                counters.rejected += 1
                return error.response(requestId: requestId)
            }
        }

        func sendMessage(
            _ request: HTTPRequest, operation: String, body: JSONValue?
        ) throws(Failure) -> JSONValue {
            let header = { (name: String) in request.headers.first { $0.name.lowercased() == name }?.value }
            guard let authorization = header("authorization"), authorization.contains("/sqs/aws4_request") else {
                throw Failure(
                    status: 403, code: "MissingAuthenticationToken", queryCode: "MissingAuthenticationToken",
                    message: "Request is missing Authentication Token")
            }
            guard operation == "SendMessage" else { throw .unsupported("the operation \(operation)") }
            guard request.method == "POST", header("content-type") == "application/x-amz-json-1.0",
                case .object(let members)? = body
            else { throw .invalidParameter("expected a JSON 1.0 POST with a JSON object body") }
            let allowed: Set<String> = ["QueueUrl", "MessageBody", "DelaySeconds"]
            for name in members.keys.sorted() where !allowed.contains(name) {
                throw .unsupported("the parameter \(name) of SendMessage")
            }
            guard let queueURL = members["QueueUrl"]?.string else {
                throw Failure(
                    code: "MissingParameter", queryCode: "MissingParameter",
                    message: "The request must contain the parameter QueueUrl.")
            }
            let (text, delay) = try Self.validate(members)
            guard queues.contains(queueURL) else {
                throw Failure(
                    code: "QueueDoesNotExist", queryCode: "AWS.SimpleQueueService.NonExistentQueue",
                    message: "The specified queue does not exist.")
            }
            let message = SentMessage(
                queueURL: queueURL, body: text, delaySeconds: delay, messageId: Self.uuid(sequence, salt: 0),
                time: clock.now())
            sent.append(message)
            counters.sent += 1
            onSend?(message)
            return .object([
                "MessageId": .string(message.messageId), "MD5OfMessageBody": .string(FakeSQS.md5(text)),
            ])
        }

        /// The body and delay, as SQS checks them.
        static func validate(_ members: [String: JSONValue]) throws(Failure) -> (String, Int) {
            guard let text = members["MessageBody"]?.string, !text.isEmpty else {
                throw Failure(
                    code: "MissingParameter", queryCode: "MissingParameter",
                    message: "The request must contain the parameter MessageBody.")
            }
            guard text.utf8.count <= FakeSQS.maximumMessageSize else {
                throw .invalidParameter(
                    "One or more parameters are invalid. Reason: Message must be shorter than "
                        + "\(FakeSQS.maximumMessageSize) bytes.")
            }
            guard text.unicodeScalars.allSatisfy(FakeSQS.isAllowed) else {
                throw Failure(
                    code: "InvalidMessageContents", queryCode: "InvalidMessageContents",
                    message: "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF "
                        + "| #xE000 to #xFFFD | #x10000 to #x10FFFF")
            }
            var delay = 0
            if let json = members["DelaySeconds"] {
                guard case .number(let number) = json, let seconds = Int(number),
                    (0...FakeSQS.maximumDelaySeconds).contains(seconds)
                else {
                    throw .invalidParameter(
                        "Value \(JSON.serialize(json)) for parameter DelaySeconds is invalid. Reason: DelaySeconds "
                            + "must be >= 0 and <= \(FakeSQS.maximumDelaySeconds).")
                }
                delay = seconds
            }
            return (text, delay)
        }

        /// A deterministic UUID-shaped id.
        static func uuid(_ sequence: Int, salt: UInt64) -> String {
            let value = UInt64(sequence) &* 0x9E37_79B9_7F4A_7C15 ^ salt
            func hex(_ number: UInt64) -> String {
                let digits = String(number, radix: 16)
                return String(repeating: "0", count: 16 - digits.count) + digits
            }
            let text = Array(hex(value) + hex(~value))
            let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(text[$0]) }
            return groups.joined(separator: "-")
        }
    }
}

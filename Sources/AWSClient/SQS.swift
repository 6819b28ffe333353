import Digests
import Formats
import JSONSupport

/// SQS's JSON 1.0 API (`AmazonSQS.<Operation>`, botocore's `sqs/2012-11-05` model): sending one message.
public struct SQSClient: AWSServiceAPI {
    public static let service = AWSService.sqs
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.json
    public let client: AWSServiceClient

    /// The longest per-message delay (`DelaySeconds`, 0 to 900 in botocore's model).
    public static let maximumDelaySeconds = 900
    /// The longest queue name, `.fifo` included (SQS's `CreateQueue`: up to 80 characters).
    public static let maximumQueueNameLength = 80

    /// Over a configured service client (one with another request timeout, say).
    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `AmazonSQS.SendMessage`, answering the `MessageId`.
    ///
    /// `delaySeconds` (0 to 900, checked before sending) is sent only when positive, so 0 leaves the queue's own
    /// delay in force (and a FIFO queue, which refuses a per-message delay, can be sent to). The answer's
    /// `MD5OfMessageBody` is checked against the body sent, as the AWS SDKs for Java and Go check it (botocore does
    /// not): a mismatch, or none, is a `malformedResponse`, not retried, since the message may well be on the queue.
    public func sendMessage(
        queueURL: String, body: String, delaySeconds: Int = 0, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> String {
        guard (0...Self.maximumDelaySeconds).contains(delaySeconds) else {
            throw invalid("delaySeconds must be 0 to \(Self.maximumDelaySeconds) (got \(delaySeconds))")
        }
        guard !body.isEmpty else { throw invalid("a message body must not be empty") }
        var request: [String: JSONValue] = ["QueueUrl": .string(queueURL), "MessageBody": .string(body)]
        if delaySeconds > 0 { request["DelaySeconds"] = .number(String(delaySeconds)) }
        let document = try await client.sendJSON(
            operation: "SendMessage", target: "AmazonSQS.SendMessage", body: .object(request), jsonVersion: .v10,
            context: context)
        guard let messageId = document["MessageId"]?.string, !messageId.isEmpty else {
            throw malformed("response has no MessageId")
        }
        let expected = Hex.string(Array(MD5Digest.hash(Array(body.utf8))))
        guard let answered = document["MD5OfMessageBody"]?.string else {
            throw malformed("response has no MD5OfMessageBody (message \(messageId))")
        }
        guard answered.lowercased() == expected else {
            throw malformed(
                "MD5OfMessageBody is \(answered) but the body sent hashes to \(expected) (message \(messageId))")
        }
        return messageId
    }

    /// `AmazonSQS.GetQueueAttributes` for every attribute (`All`): `VisibilityTimeout`, `RedrivePolicy`,
    /// `ApproximateNumberOfMessages`, `QueueArn`…, as SQS answers them (strings).
    public func getQueueAttributes(
        queueURL: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> [String: String] {
        let document = try await client.sendJSON(
            operation: "GetQueueAttributes", target: "AmazonSQS.GetQueueAttributes",
            body: .object(["QueueUrl": .string(queueURL), "AttributeNames": .array([.string("All")])]),
            jsonVersion: .v10, context: context)
        var attributes: [String: String] = [:]
        if case .object(let members)? = document["Attributes"] {
            for (name, value) in members { attributes[name] = value.scalarText ?? "" }
        }
        return attributes
    }

    /// The queue URL for a queue ARN: `https://sqs.<region>.amazonaws.com/<account>/<name>` from
    /// `arn:<partition>:sqs:<region>:<account>:<name>` (`amazonaws.com.cn` in `aws-cn`); nil for anything else.
    ///
    /// Each part is checked, so that an ARN from configuration cannot steer requests to another host or path: the
    /// partition (`aws`, `aws-cn`, `aws-us-gov`) and a region of that partition's shape (`eu-west-1`), a 12-digit
    /// account, and a queue name of 1 to 80 letters, digits, `-` and `_`, optionally ending `.fifo`.
    public static func queueURL(fromARN arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "sqs" else { return nil }
        let (partition, region, account, name) = (parts[1], parts[3], parts[4], parts[5])
        let suffix: String
        switch partition {
        case "aws": suffix = region.hasPrefix("cn-") || region.hasPrefix("us-gov-") ? "" : "amazonaws.com"
        case "aws-cn": suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : ""
        case "aws-us-gov": suffix = region.hasPrefix("us-gov-") ? "amazonaws.com" : ""
        default: suffix = ""
        }
        guard !suffix.isEmpty, isRegion(region), account.count == 12, account.utf8.allSatisfy(isDigit),
            isQueueName(name)
        else { return nil }
        return "https://sqs.\(region).\(suffix)/\(account)/\(name)"
    }

    /// `xx-word(-word)*-N`: `us-east-1`, `us-gov-west-1`, `ap-southeast-5`.
    static func isRegion(_ region: Substring) -> Bool {
        let words = region.split(separator: "-", omittingEmptySubsequences: false)
        guard words.count >= 3, let first = words.first, let last = words.last else { return false }
        return first.count == 2 && first.utf8.allSatisfy(isLower)
            && words.dropFirst().dropLast().allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(isLower) }
            && (1...2).contains(last.count) && last.utf8.allSatisfy(isDigit)
    }

    static func isQueueName(_ name: Substring) -> Bool {
        guard name.count <= maximumQueueNameLength else { return false }
        let base = name.hasSuffix(".fifo") ? name.dropLast(5) : name
        return !base.isEmpty
            && base.utf8.allSatisfy {
                isDigit($0) || isLower($0) || isUpper($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
            }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isLower(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
    private static func isUpper(_ byte: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }

    private func malformed(_ message: String) -> AWSError {
        AWSError(
            kind: .malformedResponse, code: "MalformedResponse", message: message, service: "sqs",
            operation: "SendMessage")
    }

    private func invalid(_ message: String) -> AWSError {
        AWSError(
            kind: .invalidRequest, code: "InvalidParameter", message: message, service: "sqs", operation: "SendMessage")
    }
}

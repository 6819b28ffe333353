import AWSClient
import AWSTestSupport
import FoundationEssentials
import JSONSupport
import Testing

/// SQS's JSON 1.0 SendMessage and the queue URL an ARN stands for.
@Suite("SQS")
struct SQSTests {
    static let queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/site-changes"
    /// `hashlib.md5("héllo".encode()).hexdigest()`.
    static let helloMD5 = "be50e8478cf24ff3595bc7307fb91b50"

    static func sent(md5: String = helloMD5) -> Result<HTTPResponse, AWSError> {
        .success(.text(200, #"{"MD5OfMessageBody":"\#(md5)","MessageId":"5fea7756-0ea4-451a-a703-a558b933e274"}"#))
    }

    func client(_ fake: FakeTransport, policy: RetryPolicy = .none) throws -> SQSClient {
        try SQSClient(
            configuration: configuration(retryPolicy: policy), transport: fake, clock: VirtualClock(), random: { 0 })
    }

    @Test("SendMessage: JSON 1.0, AmazonSQS target, DelaySeconds only when positive; answers the MessageId")
    func sendMessage() async throws {
        let fake = FakeTransport([Self.sent(), Self.sent(md5: Self.helloMD5.uppercased())])
        let sqs = try client(fake)
        #expect(
            try await sqs.sendMessage(queueURL: Self.queue, body: "héllo") == "5fea7756-0ea4-451a-a703-a558b933e274")
        _ = try await sqs.sendMessage(queueURL: Self.queue, body: "héllo", delaySeconds: 900)
        let request = try #require(fake.requests.first)
        #expect(request.url == "https://sqs.eu-west-1.amazonaws.com/")
        #expect(request.headers.contains { $0.name == "x-amz-target" && $0.value == "AmazonSQS.SendMessage" })
        #expect(request.headers.contains { $0.name == "content-type" && $0.value == "application/x-amz-json-1.0" })
        #expect(
            request.headers.contains {
                $0.name.lowercased() == "authorization" && $0.value.contains("/eu-west-1/sqs/aws4_request")
            })
        #expect(
            String(decoding: request.body, as: UTF8.self)
                == #"{"MessageBody":"héllo","QueueUrl":"https://sqs.eu-west-1.amazonaws.com/123456789012/site-changes"}"#
        )
        #expect(try JSON.parse(fake.requests[1].body)["DelaySeconds"] == .number("900"))
    }

    @Test("delaySeconds outside 0...900 and an empty body are refused before sending", arguments: [-1, 901])
    func delayRange(delay: Int) async throws {
        let fake = FakeTransport([Self.sent()])
        let sqs = try client(fake)
        await #expect { try await sqs.sendMessage(queueURL: Self.queue, body: "x", delaySeconds: delay) } throws: {
            ($0 as? AWSError)?.kind == .invalidRequest && ($0 as? AWSError)?.message.contains("delaySeconds") == true
        }
        await #expect { try await sqs.sendMessage(queueURL: Self.queue, body: "") } throws: {
            ($0 as? AWSError)?.kind == .invalidRequest
        }
        #expect(fake.requests.isEmpty)
    }

    @Test("an MD5OfMessageBody that does not match, or none, is a malformed response, not retried")
    func md5Mismatch() async throws {
        let noMD5 = Result<HTTPResponse, AWSError>.success(.text(200, #"{"MessageId":"m-1"}"#))
        let fake = FakeTransport([Self.sent(md5: "0123456789abcdef0123456789abcdef"), Self.sent(), noMD5])
        let sqs = try client(fake, policy: .standard)
        await #expect { try await sqs.sendMessage(queueURL: Self.queue, body: "héllo") } throws: { error in
            let error = error as? AWSError
            return error?.kind == .malformedResponse && error?.message.contains(Self.helloMD5) == true
                && error?.isRetryable == false
        }
        #expect(fake.requests.count == 1, "the message may be on the queue: sending it again would duplicate it")
        _ = try await sqs.sendMessage(queueURL: Self.queue, body: "héllo")
        await #expect { try await sqs.sendMessage(queueURL: Self.queue, body: "héllo") } throws: {
            ($0 as? AWSError)?.kind == .malformedResponse
        }
    }

    @Test("errors: the modeled code from __type, not the Query code of x-amzn-query-error; that one as a fallback")
    func errors() async throws {
        let missing = HTTPResponse.text(
            400,
            #"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#,
            headers: [HTTPHeader("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")])
        let bare = HTTPResponse.text(
            400, #"{"message":"slow down"}"#, headers: [HTTPHeader("x-amzn-query-error", "RequestThrottled;Sender")])
        let fake = FakeTransport([.success(missing), .success(bare)])
        let sqs = try client(fake)
        await #expect { try await sqs.sendMessage(queueURL: Self.queue, body: "x") } throws: { error in
            let error = error as? AWSError
            return error?.code == "QueueDoesNotExist" && error?.message == "The specified queue does not exist."
                && error?.isRetryable == false
        }
        await #expect { try await sqs.sendMessage(queueURL: Self.queue, body: "x") } throws: { error in
            (error as? AWSError)?.code == "RequestThrottled" && (error as? AWSError)?.isThrottling == true
        }
    }

    @Test(
        "queueURL(fromARN:) for well-formed ARNs",
        arguments: [
            ("arn:aws:sqs:eu-west-1:123456789012:site-changes", Self.queue),
            (
                "arn:aws:sqs:us-east-1:000000000000:A_b-9.fifo",
                "https://sqs.us-east-1.amazonaws.com/000000000000/A_b-9.fifo"
            ),
            (
                "arn:aws-cn:sqs:cn-north-1:123456789012:q",
                "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q"
            ),
            (
                "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q",
                "https://sqs.us-gov-west-1.amazonaws.com/123456789012/q"
            ),
            (
                "arn:aws:sqs:ap-southeast-5:123456789012:" + String(repeating: "q", count: 80),
                "https://sqs.ap-southeast-5.amazonaws.com/123456789012/" + String(repeating: "q", count: 80)
            ),
        ])
    func queueURL(arn: String, url: String) {
        #expect(SQSClient.queueURL(fromARN: arn) == url)
    }

    @Test(
        "queueURL(fromARN:) refuses anything else",
        arguments: [
            "", "arn:aws:sqs:eu-west-1:123456789012", "arn:aws:sns:eu-west-1:123456789012:q",
            "arn:aws:sqs:eu-west-1:123456789012:q:extra", "arn:aws:sqs:eu-west-1:12345678901:q",
            "arn:aws:sqs:eu-west-1:1234567890123:q", "arn:aws:sqs:eu-west-1:12345678901a:q",
            "arn:aws:sqs:eu-west-1:123456789012:", "arn:aws:sqs:eu-west-1:123456789012:.fifo",
            "arn:aws:sqs:eu-west-1:123456789012:a/b", "arn:aws:sqs:eu-west-1:123456789012:a.b",
            "arn:aws:sqs:eu-west-1:123456789012:q@evil.example", "arn:aws:sqs:eu-west-1:123456789012:q?x",
            "arn:aws:sqs:eu-west-1:123456789012:" + String(repeating: "q", count: 81),
            "arn:aws:sqs:evil.example/x:123456789012:q", "arn:aws:sqs:EU-west-1:123456789012:q",
            "arn:aws:sqs:eu-west:123456789012:q", "arn:aws:sqs:eu--1:123456789012:q",
            "arn:aws:sqs:cn-north-1:123456789012:q", "arn:aws-cn:sqs:eu-west-1:123456789012:q",
            "arn:aws-iso:sqs:us-iso-east-1:123456789012:q", "arn:aws:sqs::123456789012:q",
            "ARN:aws:sqs:eu-west-1:123456789012:q",
        ])
    func badARN(arn: String) {
        #expect(SQSClient.queueURL(fromARN: arn) == nil)
    }
}

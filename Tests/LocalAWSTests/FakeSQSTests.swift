import AWSClient
import AWSTestSupport
import FoundationEssentials
import JSONSupport
import Testing

@testable import LocalAWS

/// The fake SQS's SendMessage, validated as SQS documents it.
@Suite("FakeSQS")
struct FakeSQSTests {
    static let queue = "https://sqs.us-east-1.amazonaws.com/123456789012/invalidator"
    let clock: VirtualClock
    let sqs: FakeSQS
    let caller: JSONCaller
    let handed: Locked<[FakeSQS.SentMessage]>

    init() async {
        let clock = VirtualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        let handed = Locked<[FakeSQS.SentMessage]>([])
        self.clock = clock
        self.handed = handed
        sqs = FakeSQS(clock: clock) { message in handed.withLock { $0.append(message) } }
        await sqs.createQueue(url: Self.queue)
        caller = .sqs(sqs.transport)
    }

    func send(_ body: String, delay: String? = nil, queue: String = queue) async throws -> JSONCaller.Answer {
        let delayMember = delay.map { #","DelaySeconds":\#($0)"# } ?? ""
        return try await caller.call(
            "SendMessage", #"{"QueueUrl":"\#(queue)","MessageBody":\#(JSON.quote(body))\#(delayMember)}"#)
    }

    @Test("an accepted message: MessageId, MD5OfMessageBody; handed to onSend with its delay and time, and kept")
    func accepted() async throws {
        clock.advance(by: .seconds(5))
        let answer = try await send("hello", delay: "900")
        #expect(answer.status == 200)
        #expect(answer["MD5OfMessageBody"] == .string("5d41402abc4b2a76b9719d911017c592"))
        let id = try #require(answer["MessageId"]?.string)
        #expect(id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12], "UUID-shaped: \(id)")
        let message = try #require(handed.withLock { $0.first })
        #expect(message.body == "hello" && message.delaySeconds == 900 && message.messageId == id)
        #expect(message.queueURL == Self.queue && message.time == clock.now())
        #expect(message.visibleAt == clock.now().addingTimeInterval(900))
        #expect(await sqs.sent == [message])
        let second = try await send("tab\tnew line\n emoji 🎉 \u{E000}")
        #expect(second.status == 200 && second["MessageId"]?.string != id)
        #expect(second["MD5OfMessageBody"]?.string == FakeSQS.md5("tab\tnew line\n emoji 🎉 \u{E000}"))
        #expect(answer.response.header("x-amzn-requestid") != nil)
    }

    @Test(
        "refused as SQS refuses: empty body, over 1 MiB, characters outside XML's, a delay outside 0-900",
        arguments: [
            ("", nil, "MissingParameter"),
            (String(repeating: "x", count: FakeSQS.maximumMessageSize + 1), nil, "InvalidParameterValue"),
            (String(repeating: "é", count: FakeSQS.maximumMessageSize / 2) + "x", nil, "InvalidParameterValue"),
            ("bell \u{7}", nil, "InvalidMessageContents"), ("nul \u{0}", nil, "InvalidMessageContents"),
            ("\u{FFFE}", nil, "InvalidMessageContents"), ("ok", "901", "InvalidParameterValue"),
            ("ok", "-1", "InvalidParameterValue"), ("ok", "1.5", "InvalidParameterValue"),
            ("ok", "\"5\"", "InvalidParameterValue"),
        ] as [(String, String?, String)])
    func refused(_ body: String, _ delay: String?, _ code: String) async throws {
        let answer = try await send(body, delay: delay)
        #expect(answer.status == 400 && answer.code == code, "\(answer.json)")
        #expect(answer.response.header("x-amzn-query-error")?.hasSuffix(";Sender") == true)
        #expect(await sqs.sent.isEmpty && handed.withLock { $0.isEmpty })
    }

    @Test("the limits themselves are accepted: exactly 1 MiB, delays 0 and 900")
    func limits() async throws {
        #expect(try await send(String(repeating: "x", count: FakeSQS.maximumMessageSize)).status == 200)
        #expect(try await send("a", delay: "0").status == 200)
        #expect(try await send("a", delay: "900").status == 200)
        #expect(await sqs.counters.sent == 3)
    }

    @Test("an unknown queue is QueueDoesNotExist with the query protocol's NonExistentQueue code")
    func unknownQueue() async throws {
        let answer = try await send("a", queue: "https://sqs.us-east-1.amazonaws.com/123456789012/other")
        #expect(answer.status == 400 && answer["__type"] == .string("com.amazonaws.sqs#QueueDoesNotExist"))
        #expect(answer.response.header("x-amzn-query-error") == "AWS.SimpleQueueService.NonExistentQueue;Sender")
    }

    @Test("unsigned requests, other operations and unsupported parameters are refused")
    func unsupported() async throws {
        var unsigned = caller
        unsigned.signed = false
        #expect(
            try await unsigned.call("SendMessage", #"{"QueueUrl":"\#(Self.queue)","MessageBody":"a"}"#).status == 403)
        #expect(
            try await caller.call("ReceiveMessage", #"{"QueueUrl":"\#(Self.queue)"}"#).code == "UnsupportedOperation")
        let attributes = try await caller.call(
            "SendMessage",
            #"{"QueueUrl":"\#(Self.queue)","MessageBody":"a","MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}"#
        )
        #expect(attributes.code == "UnsupportedOperation" && attributes.message.contains("FakeSQS does not support"))
        #expect(await sqs.sent.isEmpty)
    }

    @Test("faults: before the work nothing is sent; after it the message is sent and the answer lost")
    func faults() async throws {
        let fault = Locked<FakeSQS.Fault?>(.requestThrottled)
        let seen = Locked<[FakeSQS.RequestInfo]>([])
        await sqs.injectFaults { info in
            seen.withLock { $0.append(info) }
            return fault.withLock { $0 }
        }
        let throttled = try await send("a")
        #expect(throttled.code == "RequestThrottled")
        fault.withLock { $0 = .reset }
        await #expect(throws: AWSError.self) { try await send("b") }
        #expect(await sqs.sent.isEmpty)
        fault.withLock { $0 = .afterWork(.reset) }
        await #expect(throws: AWSError.self) { try await send("c") }
        fault.withLock { $0 = .afterWork(.serviceUnavailable) }
        #expect(try await send("d").status == 503)
        #expect(await sqs.sent.map(\.body) == ["c", "d"] && handed.withLock { $0.map(\.body) } == ["c", "d"])
        #expect(
            seen.withLock { $0.first?.queueURL } == Self.queue && seen.withLock { $0.first?.operation } == "SendMessage"
        )
        #expect(await sqs.counters.faults == 4)
    }
}

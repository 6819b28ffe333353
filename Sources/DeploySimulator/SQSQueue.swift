import AWSTestSupport
import FoundationEssentials
import JSONSupport

/// A standard SQS queue as Lambda's event source sees it: messages with `DelaySeconds`, a visibility timeout, receive
/// counts, and a redrive policy that moves a message to the dead-letter queue when a receive would exceed
/// `maxReceiveCount` (the SQS developer guide: "Using dead-letter queues").
struct SQSQueue {
    struct Message {
        var id: String
        var body: String
        var sent: Double
        /// When it can next be received (sent + DelaySeconds, then the end of each visibility timeout).
        var visible: Double
        var receiveCount = 0
        var firstReceive: Double?
        var done = false
    }

    var visibilityTimeout: Double
    var maxReceiveCount: Int?
    var messages: [Message] = []
    /// Indices of messages not deleted nor dead-lettered, in sending order.
    private var live: [Int] = []
    var deadLettered: [Int] = []
    var receiveCalls = 0

    init(visibilityTimeout: Double, maxReceiveCount: Int?) {
        self.visibilityTimeout = visibilityTimeout
        self.maxReceiveCount = maxReceiveCount
    }

    /// `SendMessage`; returns the message's index.
    mutating func send(id: String, body: String, at time: Double, delaySeconds: Double = 0) -> Int {
        messages.append(
            Message(id: id, body: body, sent: time, visible: ((time + delaySeconds) * 1_000_000).rounded() / 1_000_000))
        live.append(messages.count - 1)
        return messages.count - 1
    }

    /// `ReceiveMessage` of up to `maximum` (1-10) visible messages, oldest visible first; each becomes invisible for
    /// the visibility timeout, except, with probability `duplicate`, one that SQS delivers again at once (standard
    /// queues deliver at least once). A message whose receive count would pass `maxReceiveCount` goes to the
    /// dead-letter queue instead.
    mutating func receive(
        maximum: Int, at time: Double, duplicate: Double = 0, random: inout SeededRandom
    ) -> [Int] {
        receiveCalls += 1
        var received: [Int] = []
        for index in live where messages[index].visible <= time {
            if received.count == maximum { break }
            if let maxReceiveCount, messages[index].receiveCount >= maxReceiveCount {
                messages[index].done = true
                deadLettered.append(index)
                continue
            }
            messages[index].receiveCount += 1
            if duplicate == 0 || Double.random(in: 0..<1, using: &random) >= duplicate {
                messages[index].visible = ((time + visibilityTimeout) * 1_000_000).rounded() / 1_000_000
            }
            if messages[index].firstReceive == nil { messages[index].firstReceive = time }
            received.append(index)
        }
        live.removeAll { messages[$0].done }
        return received
    }

    /// `DeleteMessage` (Lambda deletes what the function did not name in `batchItemFailures`).
    mutating func delete(_ index: Int) {
        messages[index].done = true
        live.removeAll { $0 == index }
    }

    /// Messages neither deleted nor dead-lettered.
    var remaining: Int { live.count }
    /// When the next message not yet visible becomes visible.
    func nextVisible(after time: Double) -> Double? {
        live.map { messages[$0].visible }.filter { $0 > time }.min()
    }

    func hasVisible(at time: Double) -> Bool { live.contains { messages[$0].visible <= time } }

    /// The record Lambda puts in the event for a received message (the SQS event in the Lambda developer guide).
    func record(_ index: Int, queueARN: String) -> String {
        let message = messages[index]
        let sent = Int64((message.sent * 1000).rounded())
        let first = Int64(((message.firstReceive ?? message.sent) * 1000).rounded())
        return
            "{\"messageId\":\(JSON.quote(message.id)),\"receiptHandle\":\"AQEB\(message.id)\(message.receiveCount)\","
            + "\"body\":\(JSON.quote(message.body)),\"attributes\":{\"ApproximateReceiveCount\":"
            + "\"\(message.receiveCount)\",\"SentTimestamp\":\"\(sent)\",\"SenderId\":\"AIDAEXAMPLEEXAMPLE\","
            + "\"ApproximateFirstReceiveTimestamp\":\"\(first)\"},\"messageAttributes\":{},"
            + "\"md5OfBody\":\"\(message.id.prefix(8))\(message.id.suffix(8))0000000000000000\","
            + "\"eventSource\":\"aws:sqs\",\"eventSourceARN\":\"\(queueARN)\",\"awsRegion\":\"us-east-1\"}"
    }
}

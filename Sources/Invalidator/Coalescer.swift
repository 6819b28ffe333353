import AWSClient
import Digests
import Formats
import FoundationEssentials
import InvalidationCore

/// One invalidation per distribution per deploy: batches record their exact paths in a DynamoDB window and are
/// acknowledged; one delayed message on the function's own queue flushes the window once no change has arrived for
/// `quietSeconds` (or `maxDelaySeconds` after its first change), as one batch planned with the budget.
///
/// Why it cannot lose a change or flush a window twice (docs/DESIGN.md has the whole argument):
/// - A batch's items and its `HEAD` update are one transaction conditioned on the window still being open, and the
///   flush closes ("seals") the window before it reads it. So every recorded item is in a window that a flush reads
///   after it was sealed, and a sealed window's items never change until its `D#` item says it was flushed.
/// - The flush message is sent before the transaction that records its schedule, and a batch is acknowledged only
///   after both: a `flushAt` in `HEAD` always has a message behind it. A schedule overdue by `staleAfter` is
///   presumed lost, and the next batch schedules another.
/// - A sealed window's content, hence its CallerReference, is fixed until the `D#` item exists: a redelivered or
///   concurrent flush replays the same request, which CloudFront creates once.
public struct Coalescer: Sendable {
    public var settings: CoalesceSettings
    var dynamoDB: DynamoDBClient
    var sqs: SQSClient

    public init(settings: CoalesceSettings, dynamoDB: DynamoDBClient, sqs: SQSClient) {
        self.settings = settings
        self.dynamoDB = dynamoDB
        self.sqs = sqs
    }

    /// Paths per item, in bytes: far under DynamoDB's 400 KB item limit.
    static let maximumPartBytes = 300_000
    /// Items per transaction: ten parts stay under TransactWriteItems' 4 MB, and its 100 actions.
    static let partsPerTransaction = 10
    /// Attempts at recording against concurrent writers and flushes before the batch is handed back.
    static let recordAttempts = 8
    /// A scheduled flush this overdue is presumed lost (its message dead-lettered, say): the next batch schedules
    /// another. A late original then finds the window flushed.
    static let staleAfterMilliseconds: Int64 = 60_000
    /// A flush arriving this early counts as on time (SQS delays by whole seconds; clocks of sandboxes differ).
    static let toleranceMilliseconds: Int64 = 1_000
    /// How long DynamoDB's TTL keeps items a flush left behind.
    static let retentionSeconds: Int64 = 7 * 86_400

    var clock: any AWSClock { dynamoDB.client.clock }
    func nowMilliseconds() -> Int64 { Int64((clock.now().timeIntervalSince1970 * 1000).rounded(.down)) }
    func expires(_ now: Int64) -> DynamoDBValue { .int(now / 1000 + Self.retentionSeconds) }

    /// What recording a batch's paths did.
    public struct Recorded: Sendable, Equatable {
        public var window: Int64
        public var items: Int
        /// The flush this batch scheduled, if it was the first of the window (or the schedule was stale).
        public var scheduled: FlushMessage?
        public var attempts: Int
    }

    /// Records one batch's exact paths for a distribution, and schedules the window's flush when none is.
    /// - Throws: any AWS failure, or contention beyond `recordAttempts`: the batch must then be handed back.
    public func record(
        target: CloudFrontTarget, paths: [String], changes: Int, queueURL: String, context: AWSCallContext
    ) async throws(AWSError) -> Recorded {
        let parts = Self.parts(paths)
        let digest = Hex.string(Array(SHA256Hasher.hash(lines: paths)).prefix(12))
        var recorded = Recorded(window: 0, items: 0, scheduled: nil, attempts: 0)
        var start = 0
        while start < parts.count {
            let group = Array(parts[start..<min(parts.count, start + Self.partsPerTransaction)])
            let changesHere = start == 0 ? changes : 0
            try await recordGroup(
                group, firstPart: start, changes: changesHere, target: target, digest: digest,
                queueURL: queueURL, context: context, into: &recorded)
            start += group.count
        }
        return recorded
    }

    /// One transaction's worth of parts, retried against concurrent writers and a flush sealing the window.
    private func recordGroup(
        _ group: [String], firstPart: Int, changes: Int, target: CloudFrontTarget, digest: String, queueURL: String,
        context: AWSCallContext, into recorded: inout Recorded
    ) async throws(AWSError) {
        for _ in 0..<Self.recordAttempts {
            recorded.attempts += 1
            let head = try await readHead(target, context: context)
            let now = nowMilliseconds()
            var schedule: FlushMessage?
            if head.flushAt.map({ $0 + Self.staleAfterMilliseconds < now }) ?? true {
                let flush = FlushMessage(
                    target: target, window: head.window,
                    due: now + Int64(settings.quietSeconds) * 1000)
                try await send(flush, queueURL: queueURL, now: now, context: context)
                schedule = flush
            }
            var writes: [DynamoDBWrite] = group.enumerated().map { offset, text in
                var item = CoalesceWindow.key(
                    target,
                    CoalesceWindow.recordKey(window: head.window, digest: digest, part: firstPart + offset))
                item["paths"] = .string(text)
                item["changes"] = .int(Int64(offset == 0 ? changes : 0))
                item["expires"] = expires(now)
                return .put(table: settings.table, item: item)
            }
            writes.append(headUpdate(head, now: now, schedule: schedule, target: target))
            do {
                try await dynamoDB.transactWriteItems(
                    writes, names: CoalesceWindow.names, values: headValues(head, now: now, schedule: schedule),
                    context: context)
            } catch  where error.isConditionalCheckFailure || error.code == "TransactionCanceledException" {
                continue  // a writer or a flush changed HEAD since it was read: read it again
            }
            recorded.window = head.window
            recorded.items += group.count
            if let schedule { recorded.scheduled = schedule }
            return
        }
        throw AWSError(
            kind: .service, code: "WindowContention",
            message: "HEAD of \(target) changed under \(Self.recordAttempts) attempts in a row",
            service: "dynamodb", operation: "TransactWriteItems")
    }

    /// `HEAD`'s part of a recording transaction: on the condition that the window is still the one read (and, when
    /// scheduling, that no other batch scheduled meanwhile).
    private func headUpdate(
        _ head: CoalesceWindow.Head, now: Int64, schedule: FlushMessage?, target: CloudFrontTarget
    ) -> DynamoDBWrite {
        let key = CoalesceWindow.key(target, CoalesceWindow.head)
        var update = "SET #window = :window, #last = :now, #first = if_not_exists(#first, :now)"
        var condition = head.exists ? "#window = :window" : "attribute_not_exists(#pk)"
        if schedule != nil {
            update += ", #flushAt = :due"
            condition +=
                head.flushAt == nil
                ? " AND attribute_not_exists(#flushAt)" : " AND #flushAt = :scheduled"
        }
        return .update(table: settings.table, key: key, update: update, condition: condition)
    }

    private func headValues(_ head: CoalesceWindow.Head, now: Int64, schedule: FlushMessage?) -> DynamoDBItem {
        var values: DynamoDBItem = [":window": .int(head.window), ":now": .int(now)]
        if let schedule {
            values[":due"] = .int(schedule.due)
            if let flushAt = head.flushAt { values[":scheduled"] = .int(flushAt) }
        }
        return values
    }

    func readHead(_ target: CloudFrontTarget, context: AWSCallContext) async throws(AWSError) -> CoalesceWindow.Head {
        CoalesceWindow.Head(
            try await dynamoDB.getItem(
                table: settings.table, key: CoalesceWindow.key(target, CoalesceWindow.head),
                consistentRead: true, context: context))
    }

    /// Sends a flush to arrive when it is due (SQS delays by whole seconds, at most 900).
    func send(_ flush: FlushMessage, queueURL: String, now: Int64, context: AWSCallContext) async throws(AWSError) {
        let delay = Int(min(900, max(0, (flush.due - now + 999) / 1000)))
        _ = try await sqs.sendMessage(queueURL: queueURL, body: flush.body, delaySeconds: delay, context: context)
    }

    /// Paths joined by newlines into items of at most `maximumPartBytes`.
    static func parts(_ paths: [String]) -> [String] {
        var parts: [String] = []
        var current = ""
        for path in paths {
            if !current.isEmpty && current.utf8.count + 1 + path.utf8.count > maximumPartBytes {
                parts.append(current)
                current = ""
            }
            current += current.isEmpty ? path : "\n" + path
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }
}

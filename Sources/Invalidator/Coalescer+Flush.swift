import AWSClient
import FoundationEssentials
import InvalidationCore

extension Coalescer {
    /// What a flush message comes to before anything is submitted.
    public enum FlushStep: Sendable, Equatable {
        /// Changes arrived after it was scheduled: another flush is scheduled for when the window will be quiet.
        case rescheduled(FlushMessage)
        /// Nothing to submit, and why (flushed already, empty, a later flush answers for the window).
        case skipped(String)
        /// The sealed window's content, to plan and submit, then `finish`.
        case ready(WindowContent)
    }

    /// A sealed window: fixed until its `D#` item is written.
    public struct WindowContent: Sendable, Equatable {
        public var target: CloudFrontTarget
        public var window: Int64
        /// The recorded items' sort keys, in order: with the distribution and window, the content's identity (and
        /// so its CallerReference).
        public var keys: [String]
        public var paths: [String]
        public var changes: Int
    }

    /// Decides what a flush message does: reschedule when the window is not quiet yet; otherwise seal the window
    /// (new changes go to the next one) and read what it holds.
    public func prepare(
        _ flush: FlushMessage, queueURL: String?, context: AWSCallContext
    ) async throws(AWSError) -> FlushStep {
        let head = try await readHead(flush.target, context: context)
        if head.exists && head.window == flush.window {
            guard let first = head.first, let last = head.last else {
                return .skipped("window \(flush.window) has no recorded change")
            }
            let now = nowMilliseconds()
            let due = min(
                last + Int64(settings.quietSeconds) * 1000, first + Int64(settings.maxDelaySeconds) * 1000)
            if now + Self.toleranceMilliseconds < due {
                return try await reschedule(flush, head: head, due: due, queueURL: queueURL, context: context)
            }
            try await seal(flush, context: context)
        } else if !head.exists || head.window < flush.window {
            return .skipped("window \(flush.window) was never opened")
        }
        return try await read(flush, context: context)
    }

    /// An early flush. The message that answers for the window's schedule (the one `flushAt` names, or a later one
    /// whose own schedule was never recorded) sends the next and records it; an older one stands down.
    private func reschedule(
        _ flush: FlushMessage, head: CoalesceWindow.Head, due: Int64, queueURL: String?, context: AWSCallContext
    ) async throws(AWSError) -> FlushStep {
        if let scheduled = head.flushAt, flush.due < scheduled {
            return .skipped("window \(flush.window) has a later flush scheduled")
        }
        guard let queueURL else {
            throw AWSError(
                kind: .invalidRequest, code: "NoQueue", message: "no queue to send the next flush to",
                service: "sqs", operation: "SendMessage")
        }
        let next = FlushMessage(target: flush.target, window: flush.window, due: due)
        try await send(next, queueURL: queueURL, now: nowMilliseconds(), context: context)
        var values: DynamoDBItem = [":due": .int(due), ":window": .int(flush.window)]
        var condition = "#window = :window AND attribute_not_exists(#flushAt)"
        if let scheduled = head.flushAt {
            condition = "#window = :window AND #flushAt = :scheduled"
            values[":scheduled"] = .int(scheduled)
        }
        do {
            _ = try await dynamoDB.updateItem(
                table: settings.table, key: CoalesceWindow.key(flush.target, CoalesceWindow.head),
                update: "SET #flushAt = :due", condition: condition, names: CoalesceWindow.names, values: values,
                context: context)
        } catch  where error.isConditionalCheckFailure {
            // Sealed or rescheduled meanwhile: the message just sent finds that out when it arrives.
        }
        return .rescheduled(next)
    }

    /// Closes the window: batches recording from now on go to the next one.
    private func seal(_ flush: FlushMessage, context: AWSCallContext) async throws(AWSError) {
        do {
            _ = try await dynamoDB.updateItem(
                table: settings.table, key: CoalesceWindow.key(flush.target, CoalesceWindow.head),
                update: "SET #window = :next REMOVE #first, #last, #flushAt", condition: "#window = :window",
                names: CoalesceWindow.names, values: [":next": .int(flush.window + 1), ":window": .int(flush.window)],
                context: context)
        } catch  where error.isConditionalCheckFailure {
            // A concurrent flush sealed it: both read the same sealed content.
        }
    }

    /// A sealed window's content, unless it was flushed already.
    ///
    /// The items are read before the `D#` mark is looked for: `finish` deletes items only after writing the mark, so a
    /// read that raced a finishing flush and missed some items always finds the mark, and a read that found no mark
    /// saw every item (the same requests, the same CallerReferences, as the flush that raced it).
    private func read(_ flush: FlushMessage, context: AWSCallContext) async throws(AWSError) -> FlushStep {
        let items = try await dynamoDB.queryAll(
            table: settings.table, keyCondition: "#pk = :pk AND begins_with(#sk, :prefix)",
            names: CoalesceWindow.names,
            values: [
                ":pk": .string(flush.target.key), ":prefix": .string(CoalesceWindow.recordPrefix(flush.window)),
            ],
            consistentRead: true, context: context)
        let done = try await dynamoDB.getItem(
            table: settings.table, key: CoalesceWindow.key(flush.target, CoalesceWindow.doneKey(flush.window)),
            consistentRead: true, context: context)
        if done != nil { return .skipped("window \(flush.window) was flushed already") }
        guard !items.isEmpty else { return .skipped("window \(flush.window) is empty") }
        var content = WindowContent(
            target: flush.target, window: flush.window, keys: [], paths: [], changes: 0)
        for item in items {
            guard let key = item["sk"]?.stringValue, let text = item["paths"]?.stringValue else { continue }
            content.keys.append(key)
            content.paths += text.split(separator: "\n").map(String.init)
            content.changes += Int(item["changes"]?.int64Value ?? 0)
        }
        return .ready(content)
    }

    /// Marks a window flushed once its invalidations exist, then removes its items (best effort: TTL removes what
    /// is left). A failure before the mark hands the flush back; its redelivery replays the same requests.
    /// - Returns: the items removed.
    public func finish(
        _ content: WindowContent, invalidationIds: [String], context: AWSCallContext
    ) async throws(AWSError) -> Int {
        let now = nowMilliseconds()
        var done = CoalesceWindow.key(content.target, CoalesceWindow.doneKey(content.window))
        done["invalidations"] = .string(invalidationIds.joined(separator: ","))
        done["expires"] = expires(now)
        try await dynamoDB.putItem(table: settings.table, item: done, context: context)
        var removed = 0
        for key in content.keys {
            do {
                try await dynamoDB.deleteItem(
                    table: settings.table, key: CoalesceWindow.key(content.target, key), context: context)
                removed += 1
            } catch {
                break
            }
        }
        return removed
    }
}

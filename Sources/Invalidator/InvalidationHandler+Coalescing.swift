import AWSClient
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

extension InvalidationHandler {
    /// The queue a coalescing window's flush goes to: `COALESCE_QUEUE_URL`, or the queue the batch came from; nil
    /// when the event came from no queue (S3 or SNS invoking the function directly) and none is configured.
    static func flushQueue(_ event: DecodedEvent, settings: CoalesceSettings) -> String? {
        settings.queueURL ?? event.queueARN.flatMap(SQSClient.queueURL(fromARN:))
    }

    /// An SQS batch when coalescing: each distribution's exact paths are recorded in its open window (one flush
    /// scheduled per window), and each flush message the batch holds flushes its window as one planned batch.
    /// What cannot be recorded or flushed now is handed back, message by message.
    func handle(
        coalescing event: DecodedEvent, coalescer: Coalescer, queueURL: String, context: InvocationContext
    ) async -> ChangesOutcome {
        var exactPlanner = planner
        exactPlanner.budget = nil
        let (plan, resolution) = await Self.plan(
            event, resolver: resolver, planner: exactPlanner, context: context.work, session: context.session)
        var outcome = ChangesOutcome(event: event, plan: plan, resolution: resolution)
        outcome.coalescing = true
        outcome.logNotes(context.logger)
        for share in Self.recordings(plan) {
            do {
                let recorded = try await coalescer.record(
                    target: share.target, paths: share.paths, changes: share.changes,
                    queueURL: queueURL, context: context.work)
                outcome.recorded.append((share.target, share.paths.count, share.changes, recorded))
                context.logger.debug(
                    "recorded",
                    [
                        "distribution": share.target.key, "window": String(recorded.window),
                        "paths": String(share.paths.count), "items": String(recorded.items),
                        "flushScheduled": recorded.scheduled.map { String($0.due) } ?? "",
                    ])
            } catch {
                outcome.handBack(share.messageIds, what: "recording for \(share.target)", error, context.logger)
            }
        }
        for (messageId, flush) in event.flushes {
            await self.flush(
                flush, messageId: messageId, coalescer: coalescer, queueURL: queueURL,
                context: context, into: &outcome)
        }
        outcome.calls = context.work.statistics.counts
        outcome.elapsed = ContinuousClock.now - context.started
        return outcome
    }

    /// One target's share of a batch, to record: its exact paths and the messages they came from.
    struct Recording {
        var target: CloudFrontTarget
        var paths: [String] = []
        var messageIds: [String] = []
        var changes = 0
    }

    /// The plan's requests merged per target (a batch's exact paths may have been split at 3,000).
    static func recordings(_ plan: InvalidationPlan) -> [Recording] {
        var order: [CloudFrontTarget] = []
        var shares: [CloudFrontTarget: Recording] = [:]
        for planned in plan.invalidations {
            let id = planned.target
            if shares[id] == nil { order.append(id) }
            shares[id, default: Recording(target: id)].paths += planned.recordLines ?? planned.paths
            shares[id, default: Recording(target: id)].messageIds += planned.messageIds
            // Every part of a split request counts the share's changes: the same number.
            shares[id, default: Recording(target: id)].changes = planned.changes
        }
        return order.compactMap { id in
            shares[id].map { share in
                var share = share
                share.messageIds = Array(Set(share.messageIds)).sorted()
                return share
            }
        }
    }

    /// One flush message: reschedule, skip, or plan the sealed window with the budget, submit, and mark it flushed.
    /// A failed submission or mark hands the message back; its redelivery replays the same CallerReference.
    func flush(
        _ flush: FlushMessage, messageId: String, coalescer: Coalescer, queueURL: String,
        context: InvocationContext, into outcome: inout ChangesOutcome
    ) async {
        let logger = context.logger
        let fields = [("distribution", flush.target.key), ("window", String(flush.window)), ("message", messageId)]
        let step: Coalescer.FlushStep
        do {
            step = try await coalescer.prepare(flush, queueURL: queueURL, context: context.work)
        } catch {
            outcome.handBack([messageId], what: "flush of window \(flush.window)", error, logger)
            return
        }
        switch step {
        case .rescheduled(let next):
            logger.log(.info, "flush early: changes still arriving", pairs: fields + [("due", String(next.due))])
        case .skipped(let why):
            logger.log(.info, "flush skipped", pairs: fields + [("reason", why)])
        case .ready(let content):
            var tagging = false
            if let cacheTagCheck, !planner.tagRules.isEmpty {
                tagging = await cacheTagCheck.verdict(
                    target: content.target, logger: logger, context: context.work, session: context.session
                ).isConfirmed
            }
            var requests = Planner.requests(
                window: content.window, paths: content.paths, target: content.target,
                identity: content.keys, changes: content.changes, settings: planner, tagging: tagging)
            for index in requests.indices { requests[index].messageIds = [messageId] }
            let submission = submission(context)
            var ids: [String] = []
            for planned in requests {
                let submitted = await submission.submit(planned, logger: logger)
                outcome.record(submitted, for: planned, logger: logger)
                if case .success(let invalidation) = submitted.result { ids.append(invalidation.id) }
            }
            guard ids.count == requests.count else { return }
            outcome.windowsFlushed += 1
            do {
                _ = try await coalescer.finish(content, invalidationIds: ids, context: context.work)
            } catch {
                outcome.handBack([messageId], what: "marking window \(content.window) flushed", error, logger)
            }
        }
    }
}

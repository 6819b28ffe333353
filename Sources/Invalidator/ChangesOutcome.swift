import AWSClient
import InvalidationCore
import JSONSupport
import LambdaRuntime

/// What one invocation of changes came to: the answer to Lambda, the summary log line and the metrics line are all
/// rendered from this value, so they cannot disagree.
struct ChangesOutcome {
    struct Created {
        var planned: PlannedInvalidation
        var invalidation: Invalidation
        /// The reference it was submitted under: the plan's, or after a conflict the one derived from it.
        var callerReference: String
    }

    var event: DecodedEvent
    var plan: InvalidationPlan
    var resolution: DistributionResolver.Resolution
    var created: [Created] = []
    var failed: [(planned: PlannedInvalidation, error: AWSError)] = []
    var limitWaits = 0
    /// Whether the batch went through a coalescing window rather than straight to CloudFront.
    var coalescing = false
    /// Coalescing: each distribution's share of the batch recorded in its window (distribution, exact paths, what
    /// recording did).
    var recorded: [(target: CloudFrontTarget, paths: Int, changes: Int, result: Coalescer.Recorded)] = []
    /// Coalescing: windows whose invalidations were all created by this invocation's flush messages.
    var windowsFlushed = 0
    /// Coalescing: work that could not be recorded or flushed now, and the messages handed back for it.
    var coalesceFailures: [(what: String, messageIds: [String], error: AWSError)] = []
    /// The invocation's AWS calls, discovery's included.
    var calls = AWSCallStatistics.Counts()
    var elapsed: Duration = .zero

    init(event: DecodedEvent, plan: InvalidationPlan, resolution: DistributionResolver.Resolution) {
        self.event = event
        self.plan = plan
        self.resolution = resolution
    }

    /// Every record that gave no change, the decoder's and the planner's.
    var notes: [RecordNote] { event.notes + plan.notes }

    var changeCount: Int { event.units.reduce(0) { $0 + $1.changes.count } }

    /// One line per note, except for buckets no distribution serves that were already reported within the
    /// discovery TTL.
    func logNotes(_ logger: Logger) {
        for note in notes {
            if let bucket = note.bucket, resolution.quietBuckets.contains(bucket) { continue }
            switch note.severity {
            case .rejected: logger.warn("record skipped", ["record": note.record, "reason": note.reason])
            case .ignored: logger.info("record ignored", ["record": note.record, "reason": note.reason])
            }
        }
    }

    mutating func record(_ submitted: Submission.Outcome, for planned: PlannedInvalidation, logger: Logger) {
        limitWaits += submitted.limitWaits
        switch submitted.result {
        case .success(let invalidation):
            created.append(
                Created(planned: planned, invalidation: invalidation, callerReference: submitted.callerReference))
            logger.debug(
                "invalidation created",
                [
                    "distribution": planned.target.key, "invalidation": invalidation.id,
                    "callerReference": submitted.callerReference, "paths": planned.paths.joined(separator: " "),
                ])
        case .failure(let error):
            failed.append((planned, error))
            logger.error(
                "invalidation failed",
                [
                    "distribution": planned.target.key, "callerReference": planned.callerReference,
                    "paths": String(planned.paths.count), "records": planned.unitLabels.joined(separator: ","),
                    "error": error.description,
                ])
        }
    }

    /// Coalescing work that failed: its messages are handed back, with one log line.
    mutating func handBack(_ messageIds: [String], what: String, _ error: AWSError, _ logger: Logger) {
        coalesceFailures.append((what, messageIds, error))
        logger.error(
            "\(what) failed; handing the messages back",
            ["messages": String(messageIds.count), "error": error.description])
    }

    /// The delivery units to receive again: those with a failed invalidation, those with a change in a bucket
    /// whose lookup failed, and those whose recording or flush failed. Message ids in batch order, each once (a set, not a scan: a failed 10,000-message batch
    /// must stay linear).
    var handedBack: [String] {
        let lookupFailed =
            resolution.failures.isEmpty
            ? []
            : event.units.filter { unit in unit.changes.contains { resolution.failures[$0.bucket] != nil } }
        var seen = Set<String>()
        var ids: [String] = []
        for id in failed.flatMap(\.planned.messageIds) + lookupFailed.compactMap(\.messageId)
            + coalesceFailures.flatMap(\.messageIds)
        where seen.insert(id).inserted {
            ids.append(id)
        }
        return ids
    }

    /// Whether a change of the event could not be looked up (its bucket's listing failed).
    var lookupFailed: (bucket: String, error: AWSError)? {
        for unit in event.units {
            for change in unit.changes {
                if let error = resolution.failures[change.bucket] { return (change.bucket, error) }
            }
        }
        return nil
    }

    var billablePaths: Int { created.reduce(0) { $0 + $1.planned.billablePaths } }

    /// The invocation's one summary line: what it cost, what it covered, what went wrong.
    func logSummary(_ logger: Logger) {
        let invalidations = created.map {
            "\($0.planned.target.key):\($0.invalidation.id):\($0.planned.paths.count)"
        }
        var fields: [(String, String)] = [
            ("source", event.source.rawValue), ("changes", String(changeCount)),
            ("invalidations", invalidations.joined(separator: ",")), ("billablePaths", String(billablePaths)),
            ("changesCovered", String(plan.coveredChanges)), ("excluded", String(plan.excludedChanges)),
        ]
        if coalescing {
            let shares = recorded.map { "\($0.target.key):\($0.result.window):\($0.paths)" }
            fields += [("recorded", shares.joined(separator: ",")), ("windowsFlushed", String(windowsFlushed))]
        }
        fields += [
            ("skipped", String(notes.count)), ("failed", String(failed.count + coalesceFailures.count)),
            ("retries", String(calls.retries)), ("throttles", String(calls.throttles)),
            ("limitWaits", String(limitWaits)), ("milliseconds", Self.milliseconds(elapsed)),
            ("awsMilliseconds", Self.milliseconds(calls.awaiting)),
        ]
        logger.log(.info, headline, pairs: fields)
    }

    /// The summary line's message.
    var headline: String {
        if created.isEmpty && failed.isEmpty && coalesceFailures.isEmpty {
            return recorded.isEmpty ? "nothing to invalidate" : "recorded for one invalidation per deploy"
        }
        return "invalidated"
    }

    var metrics: InvocationMetrics {
        var metrics = InvocationMetrics()
        metrics.distributionIds = plan.invalidations.map(\.target.key) + created.map(\.planned.target.key)
        metrics.changesReceived = changeCount
        metrics.pathsSubmitted = created.reduce(0) { $0 + $1.planned.paths.count }
        metrics.billablePaths = billablePaths
        metrics.invalidationsCreated = created.count
        metrics.retries = calls.retries
        metrics.throttles = calls.throttles
        metrics.limitWaits = limitWaits
        metrics.skippedRecords = notes.count
        metrics.batchItemFailures = event.reply == .batchItemFailures ? handedBack.count : 0
        metrics.changesRecorded = recorded.reduce(0) { $0 + $1.changes }
        metrics.windowsFlushed = windowsFlushed
        return metrics
    }

    /// The answer to Lambda, as the event's shape asks for it.
    func answer(_ reply: Reply) -> InvocationResult {
        if reply == .batchItemFailures {
            let items = handedBack.map { JSONValue.object(["itemIdentifier": .string($0)]) }
            return .success(Array(JSON.serialize(.object(["batchItemFailures": .array(items)])).utf8))
        }
        if let (bucket, error) = lookupFailed {
            return .failure(
                FunctionError(
                    errorType: "Invalidator.DiscoveryFailed",
                    errorMessage: "could not find the distributions of bucket \(bucket): \(error)"))
        }
        if let (planned, error) = failed.first {
            return .failure(
                FunctionError(
                    errorType: "Invalidator.InvalidationFailed",
                    errorMessage: "\(failed.count) of \(plan.invalidations.count) invalidations failed; first: "
                        + "\(planned.target.description): \(error)"))
        }
        let summary: JSONValue = .object([
            "invalidations": .array(
                created.map { created in
                    .object(
                        created.planned.target.members.merging([
                            "invalidationId": .string(created.invalidation.id),
                            "callerReference": .string(created.callerReference),
                            "paths": .number(String(created.planned.paths.count)),
                            "status": .string(created.invalidation.status),
                        ]) { first, _ in first })
                }),
            "skipped": .number(String(notes.count)),
        ])
        return .success(Array(JSON.serialize(summary).utf8))
    }

    /// A duration in milliseconds with three decimals, for log lines.
    static func milliseconds(_ duration: Duration) -> String {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

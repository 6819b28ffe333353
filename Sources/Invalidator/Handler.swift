import AWSClient
import FoundationEssentials
import InvalidationCore
import JSONSupport
import LambdaRuntime

/// The function: an event in, invalidations out, and an answer Lambda understands.
///
/// For an SQS batch the answer is `batchItemFailures` naming exactly the messages whose invalidation could not be
/// submitted (SQS redelivers only those); records that can never succeed are logged and acknowledged. For a direct
/// invoke a failed submission is an invocation error, so Lambda's own retry runs; the CallerReference derived from
/// the changes keeps that retry from invalidating twice.
public struct InvalidationHandler: Sendable {
    public var resolver: DistributionResolver
    /// The ids configured for every bucket (what a CodePipeline job without ids of its own uses).
    public var distributionIds: [String] { resolver.ids }
    public var planner: PlannerSettings
    var cloudFront: CloudFrontClient
    var codePipeline: CodePipelineClient
    /// Waiting for in-progress invalidations ends this long before the invocation's deadline (time to answer, and
    /// for a pipeline job to report).
    public var deadlineMargin: Duration = .seconds(2)
    /// The jitter of waits for in-progress invalidations (injected by tests).
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
    /// Set per invocation by `withTimeouts`.
    var waitDeadline: Date?
    /// `METRICS_NAMESPACE`: one embedded-metrics line per invocation goes there.
    public var metricsNamespace = InvocationMetrics.defaultNamespace

    public init(
        resolver: DistributionResolver, planner: PlannerSettings, cloudFront: CloudFrontClient,
        codePipeline: CodePipelineClient
    ) {
        self.resolver = resolver
        self.planner = planner
        self.cloudFront = cloudFront
        self.codePipeline = codePipeline
    }

    /// The clock of the CloudFront client: the one every wait and deadline is measured on.
    var clock: any AWSClock { cloudFront.client.clock }
    func now() -> Date { clock.now() }

    /// What the handler would do with an event, without sending anything (discovery may list distributions).
    /// For a CodePipeline job: the first invocation's requests (a continuation only polls, and plans nothing).
    public func plan(
        _ event: DecodedEvent, deadline: Date? = nil, traceId: String? = nil
    ) async -> (InvalidationPlan, DistributionResolver.Resolution) {
        await Self.plan(event, resolver: resolver, planner: planner, deadline: deadline, traceId: traceId)
    }

    /// `plan(_:)` with any resolver: `invalidator plan` resolves offline when it can.
    /// - Parameter deadline: discovery's calls end before it.
    public static func plan(
        _ event: DecodedEvent, resolver: DistributionResolver, planner: PlannerSettings, deadline: Date? = nil,
        traceId: String? = nil
    ) async -> (InvalidationPlan, DistributionResolver.Resolution) {
        guard let job = event.pipelineJob else {
            var buckets = Set<String>()
            var last = ""
            for unit in event.units {
                for change in unit.changes where change.bucket != last {
                    buckets.insert(change.bucket)
                    last = change.bucket
                }
            }
            let resolution = await resolver.resolve(buckets, deadline: deadline, traceId: traceId)
            var working = event
            // Only when a lookup failed: the copy touches every unit of a 10,000-record batch.
            if !resolution.failures.isEmpty {
                for index in working.units.indices {
                    working.units[index].changes.removeAll { resolution.failures[$0.bucket] != nil }
                }
            }
            var plan = Planner.plan(working, settings: planner) { resolution.targets[$0] ?? [] }
            for (bucket, error) in resolution.failures.sorted(by: { $0.key < $1.key }) {
                plan.notes.append(
                    RecordNote(
                        record: "bucket \(bucket)", reason: "could not find its distributions: \(error)",
                        severity: .rejected, bucket: bucket))
            }
            return (plan, resolution)
        }
        let plan: InvalidationPlan
        if job.continuationToken != nil {
            let note = RecordNote(
                record: "job \(job.id)", reason: "continuation: polls the invalidations named in its token",
                severity: .ignored)
            plan = InvalidationPlan(invalidations: [], notes: [note])
        } else {
            switch Self.plan(job: job, configuredIds: resolver.ids, planner: planner) {
            case .success((_, let planned)):
                plan = InvalidationPlan(invalidations: planned, notes: [])
            case .failure(let error):
                let note = RecordNote(record: "job \(job.id)", reason: error.message, severity: .rejected)
                plan = InvalidationPlan(invalidations: [], notes: [note])
            }
        }
        return (plan, DistributionResolver.Resolution())
    }

    public func handle(_ invocation: Invocation, logger: Logger) async -> InvocationResult {
        let started = ContinuousClock.now
        let event = EventDecoder.decode(invocation.body)
        if event.source == .codePipeline, let job = event.pipelineJob {
            return await withTimeouts(
                deadlineMilliseconds: invocation.deadlineMilliseconds, traceId: invocation.traceId,
                reservingReport: true
            )
            .handle(job: job, logger: logger)
        }
        let bounded = withTimeouts(deadlineMilliseconds: invocation.deadlineMilliseconds, traceId: invocation.traceId)
        // Before planning: discovery's calls (its listing, their retries and throttles) are the invocation's too.
        let before = cloudFront.client.statistics.counts
        let (plan, resolution) = await plan(
            event, deadline: bounded.cloudFront.client.deadline, traceId: invocation.traceId)
        let notes = event.notes + plan.notes
        let changeCount = event.units.reduce(0) { $0 + $1.changes.count }
        for note in notes {
            if let bucket = note.bucket, resolution.quietBuckets.contains(bucket) { continue }
            switch note.severity {
            case .rejected: logger.warn("record skipped", ["record": note.record, "reason": note.reason])
            case .ignored: logger.info("record ignored", ["record": note.record, "reason": note.reason])
            }
        }
        let submission = bounded.submission

        // Each with the reference it was submitted under (another than the plan's after a conflict).
        var done: [(PlannedInvalidation, Invalidation, reference: String)] = []
        var failed: [(PlannedInvalidation, AWSError)] = []
        var limitWaits = 0
        for planned in plan.invalidations {
            let outcome = await submission.submit(planned, logger: logger)
            limitWaits += outcome.limitWaits
            switch outcome.result {
            case .success(let invalidation):
                done.append((planned, invalidation, outcome.callerReference))
                logger.debug(
                    "invalidation created",
                    [
                        "distribution": planned.distributionId, "invalidation": invalidation.id,
                        "callerReference": outcome.callerReference, "paths": planned.paths.joined(separator: " "),
                    ])
            case .failure(let error):
                failed.append((planned, error))
                logger.error(
                    "invalidation failed",
                    [
                        "distribution": planned.distributionId, "callerReference": planned.callerReference,
                        "paths": String(planned.paths.count), "records": planned.unitLabels.joined(separator: ","),
                        "error": error.description,
                    ])
            }
        }
        let calls = cloudFront.client.statistics.counts - before
        logger.info(
            done.isEmpty && failed.isEmpty ? "nothing to invalidate" : "invalidated",
            [
                "source": event.source.rawValue, "changes": String(changeCount),
                "invalidations": done.map { "\($0.0.distributionId):\($0.1.id):\($0.0.paths.count)" }
                    .joined(separator: ","),
                "billablePaths": String(done.reduce(0) { $0 + $1.0.billablePaths }),
                "changesCovered": String(plan.coveredChanges),
                "excluded": String(plan.excludedChanges),
                "skipped": String(notes.count), "failed": String(failed.count),
                "retries": String(calls.retries), "throttles": String(calls.throttles),
                "limitWaits": String(limitWaits),
                "milliseconds": Self.milliseconds(ContinuousClock.now - started),
                "awsMilliseconds": Self.milliseconds(calls.awaiting),
            ])

        // Units with a change in a bucket whose lookup failed are handed back whole.
        let lookupFailed =
            resolution.failures.isEmpty
            ? []
            : event.units.filter { unit in unit.changes.contains { resolution.failures[$0.bucket] != nil } }
        // In batch order, each once (a set, not a scan: a failed 10,000-message batch must stay linear).
        var failedIds: [String] = []
        if event.source == .sqs {
            var seen = Set<String>()
            for id in failed.flatMap(\.0.messageIds) + lookupFailed.compactMap(\.messageId)
            where seen.insert(id).inserted {
                failedIds.append(id)
            }
        }
        var metrics = InvocationMetrics()
        metrics.distributionIds = plan.invalidations.map(\.distributionId)
        metrics.changesReceived = changeCount
        metrics.pathsSubmitted = done.reduce(0) { $0 + $1.0.paths.count }
        metrics.billablePaths = done.reduce(0) { $0 + $1.0.billablePaths }
        metrics.invalidationsCreated = done.count
        metrics.retries = calls.retries
        metrics.throttles = calls.throttles
        metrics.limitWaits = limitWaits
        metrics.skippedRecords = notes.count
        metrics.batchItemFailures = failedIds.count
        logger.raw(metrics.line(namespace: metricsNamespace, timestamp: now(), logger: logger))

        if event.source == .sqs {
            let items = failedIds.map { JSONValue.object(["itemIdentifier": .string($0)]) }
            return .success(Array(JSON.serialize(.object(["batchItemFailures": .array(items)])).utf8))
        }
        if let (bucket, error) = resolution.failures.first, !lookupFailed.isEmpty {
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
                        + "distribution \(planned.distributionId): \(error)"))
        }
        let summary: JSONValue = .object([
            "invalidations": .array(
                done.map { planned, invalidation, reference in
                    .object([
                        "distributionId": .string(planned.distributionId), "invalidationId": .string(invalidation.id),
                        "callerReference": .string(reference),
                        "paths": .number(String(planned.paths.count)), "status": .string(invalidation.status),
                    ])
                }),
            "skipped": .number(String(notes.count)),
        ])
        return .success(Array(JSON.serialize(summary).utf8))
    }

    /// This handler with every request bounded by the invocation's deadline: no attempt starts, and no retry
    /// waits, past the deadline less half a second; waiting for in-progress invalidations stops `deadlineMargin`
    /// before it.
    ///
    /// - Parameter reservingReport: a pipeline job's CloudFront calls end `reportReserve` earlier still, so that
    ///   however long CloudFront hangs, `PutJobSuccessResult` or `PutJobFailureResult` has time to be sent: a job
    ///   left unreported hangs the pipeline's stage until CodePipeline's own timeout.
    func withTimeouts(
        deadlineMilliseconds: Int64, traceId: String? = nil, reservingReport: Bool = false
    ) -> InvalidationHandler {
        var copy = self
        var cloudFrontClient = cloudFront.client
        cloudFrontClient.traceId = traceId
        var codePipelineClient = codePipeline.client
        codePipelineClient.traceId = traceId
        if deadlineMilliseconds > 0 {
            let deadline = Date(timeIntervalSince1970: Double(deadlineMilliseconds) / 1000)
            let reserve = reservingReport ? Self.reportReserve(remaining: deadline.timeIntervalSince(now())) : 0
            cloudFrontClient.deadline = deadline.addingTimeInterval(-0.5 - reserve)
            codePipelineClient.deadline = deadline.addingTimeInterval(-0.5)
            copy.waitDeadline = deadline.addingTimeInterval(-max(deadlineMargin.seconds, 0.5 + reserve))
        }
        copy.cloudFront = CloudFrontClient(client: cloudFrontClient)
        copy.codePipeline = CodePipelineClient(client: codePipelineClient)
        return copy
    }

    /// The seconds kept for a pipeline job's report out of the `remaining` seconds of the invocation: a third, at
    /// most 5 s (a `PutJob…Result` answers in well under a second; 5 s leaves room for one retry after a slow
    /// attempt), so that even a function with Lambda's default 3 s timeout reports.
    static func reportReserve(remaining: Double) -> Double {
        min(5, max(0, remaining) / 3)
    }

    /// A duration in milliseconds with three decimals, for log lines.
    static func milliseconds(_ duration: Duration) -> String {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// How planned invalidations are submitted within this invocation.
    var submission: Submission {
        Submission(cloudFront: cloudFront, waitDeadline: waitDeadline, random: random)
    }
}

import AWSClient
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

extension InvalidationHandler {
    /// The phases of an event of changes: resolve the buckets' distributions, plan one request per distribution,
    /// submit each; what came of it is one value.
    func handle(changes event: DecodedEvent, context: InvocationContext) async -> ChangesOutcome {
        let (plan, resolution) = await Self.plan(
            event, resolver: resolver, planner: planner, context: context.work, cacheTagCheck: cacheTagCheck,
            logger: context.logger, session: context.session)
        var outcome = ChangesOutcome(event: event, plan: plan, resolution: resolution)
        outcome.logNotes(context.logger)
        let submission = submission(context)
        for planned in plan.invalidations {
            let submitted = await submission.submit(planned, logger: context.logger)
            outcome.record(submitted, for: planned, logger: context.logger)
        }
        outcome.calls = context.work.statistics.counts
        outcome.elapsed = ContinuousClock.now - context.started
        return outcome
    }

    /// What the handler would do with an event, without sending anything (discovery may list distributions).
    /// For a CodePipeline job: the first invocation's requests (a continuation only polls, and plans nothing).
    public func plan(
        _ event: DecodedEvent, context: AWSCallContext = AWSCallContext()
    ) async -> (InvalidationPlan, DistributionResolver.Resolution) {
        await Self.plan(event, resolver: resolver, planner: planner, context: context)
    }

    /// `plan(_:)` with any resolver: `invalidator plan` resolves offline when it can.
    /// - Parameter context: discovery's calls end by its deadline.
    /// - Parameter cacheTagCheck: with `TAG_RULES`, confirms which distributions may be sent tags (nil: none).
    /// - Parameter session: names the role sessions the tag check assumes.
    public static func plan(
        _ event: DecodedEvent, resolver: DistributionResolver, planner: PlannerSettings,
        context: AWSCallContext = AWSCallContext(), cacheTagCheck: CacheTagCheck? = nil, logger: Logger? = nil,
        session: String = "init"
    ) async -> (InvalidationPlan, DistributionResolver.Resolution) {
        switch event.reply {
        case .pipelineJob(let job):
            return (jobPlan(job, configuredIds: resolver.ids, planner: planner), DistributionResolver.Resolution())
        case .batchItemFailures, .invocationResult:
            let resolution = await resolver.resolve(buckets(of: event), context: context, session: session)
            var tagging = Set<CloudFrontTarget>()
            if let cacheTagCheck, planner.budget != nil, !planner.tagRules.isEmpty {
                let targets = Set(resolution.targets.values.joined().map(\.target))
                for target in targets.sorted()
                where await cacheTagCheck.verdict(target: target, logger: logger, context: context, session: session)
                    .isConfirmed
                {
                    tagging.insert(target)
                }
            }
            return (changesPlan(event, resolution: resolution, planner: planner, tagging: tagging), resolution)
        }
    }

    /// The buckets an event's changes are in.
    static func buckets(of event: DecodedEvent) -> Set<String> {
        var buckets = Set<String>()
        var last = ""
        for unit in event.units {
            for change in unit.changes where change.bucket != last {
                buckets.insert(change.bucket)
                last = change.bucket
            }
        }
        return buckets
    }

    /// The plan for the changes whose buckets resolved; a note for each bucket whose lookup failed (its changes are
    /// handed back, not planned).
    static func changesPlan(
        _ event: DecodedEvent, resolution: DistributionResolver.Resolution, planner: PlannerSettings,
        tagging: Set<CloudFrontTarget> = []
    ) -> InvalidationPlan {
        var working = event
        // Only when a lookup failed: the copy touches every unit of a 10,000-record batch.
        if !resolution.failures.isEmpty {
            for index in working.units.indices {
                working.units[index].changes.removeAll { resolution.failures[$0.bucket] != nil }
            }
        }
        var plan = Planner.plan(working, settings: planner, tagging: tagging) { resolution.targets[$0] ?? [] }
        for (bucket, error) in resolution.failures.sorted(by: { $0.key < $1.key }) {
            plan.notes.append(
                RecordNote(
                    record: "bucket \(bucket)", reason: "could not find its distributions: \(error)",
                    severity: .rejected, bucket: bucket))
        }
        return plan
    }

    /// A pipeline job's first invocation's requests, or a note saying why there are none.
    static func jobPlan(_ job: PipelineJob, configuredIds: [String], planner: PlannerSettings) -> InvalidationPlan {
        if job.continuationToken != nil {
            let note = RecordNote(
                record: "job \(job.id)", reason: "continuation: polls the invalidations named in its token",
                severity: .ignored)
            return InvalidationPlan(invalidations: [], notes: [note])
        }
        switch jobRequests(job, configuredIds: configuredIds, planner: planner) {
        case .success((_, let planned)):
            return InvalidationPlan(invalidations: planned, notes: [])
        case .failure(let error):
            let note = RecordNote(record: "job \(job.id)", reason: error.message, severity: .rejected)
            return InvalidationPlan(invalidations: [], notes: [note])
        }
    }
}

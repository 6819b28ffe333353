import AWSClient
import Formats
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

/// The function: an event in, invalidations out, and an answer Lambda understands.
///
/// One way through every invocation: decode the event (which says how it must be answered), make the invocation's
/// context (deadlines, trace, logger), then the changes' phases (resolve, plan, submit, into one `ChangesOutcome`) or
/// a pipeline job's (start or poll, into one `JobOutcome`); the answer, the summary line and the metrics line are
/// rendered from that one value.
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
    /// CloudFront for each target: the function's own credentials, or an assumed role's.
    public var clients: TargetClients
    var cloudFront: CloudFrontClient { clients.own }
    var codePipeline: CodePipelineClient
    /// Waiting for in-progress invalidations ends this long before the invocation's deadline (time to answer, and
    /// for a pipeline job to report).
    public var deadlineMargin: Duration = .seconds(2)
    /// The jitter of waits for in-progress invalidations (injected by tests).
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
    /// `METRICS_NAMESPACE`: one embedded-metrics line per invocation goes there.
    public var metricsNamespace = InvocationMetrics.defaultNamespace
    /// `COALESCE_TABLE`: an SQS batch's changes are recorded for one invalidation per deploy (nil: each batch is
    /// planned and submitted on its own).
    public var coalescer: Coalescer?
    /// With `TAG_RULES`: confirms each distribution's `CacheTagConfig` before its changes are covered by tags
    /// (nil: every change is invalidated by path).
    public var cacheTagCheck: CacheTagCheck?
    /// The month's billable paths, and `MONTHLY_PATH_BUDGET` when set (nil: the metrics line has no month's figure).
    public var monthlyTally: MonthlyPathTally?

    public init(
        resolver: DistributionResolver, planner: PlannerSettings, cloudFront: CloudFrontClient,
        codePipeline: CodePipelineClient
    ) {
        self.resolver = resolver
        self.planner = planner
        self.clients = TargetClients(own: cloudFront)
        self.codePipeline = codePipeline
    }

    /// The clock of the CloudFront client: the one every wait and deadline is measured on.
    var clock: any AWSClock { cloudFront.client.clock }
    func now() -> Date { clock.now() }

    public func handle(_ invocation: Invocation, logger: Logger) async -> InvocationResult {
        let started = ContinuousClock.now
        var event = EventDecoder.decode(invocation.body)
        let reply = event.reply
        var context = InvocationContext(
            deadline: invocation.deadline, traceId: invocation.traceId, logger: logger, now: now(),
            reservingReport: reply.isPipelineJob, waitMargin: deadlineMargin, started: started)
        context.session = clients.roles?.sessionName(invocation: invocation.requestId) ?? invocation.requestId
        switch reply {
        case .pipelineJob(let job):
            return await handle(job: job, context: context)
        case .batchItemFailures, .invocationResult:
            let month = BillingMonth(containing: now())
            let queueURL = coalescingQueue(&event, coalescer: coalescer, logger: logger)
            // A coalescing batch without flush messages only records exact paths: nothing it does is budgeted, so
            // the month's figure is not read for it.
            let submits = queueURL == nil || coalescer == nil || !event.flushes.isEmpty
            let (held, figure) = submits ? await budgeted(month: month, context: context) : (self, nil)
            let outcome: ChangesOutcome
            if let queueURL, let coalescer {
                outcome = await held.handle(
                    coalescing: event, coalescer: coalescer, queueURL: queueURL, context: context)
            } else {
                outcome = await held.handle(changes: event, context: context)
            }
            outcome.logSummary(logger)
            var metrics = outcome.metrics
            await countMonth(
                submitted: outcome.created.map(\.planned) + outcome.failed.map(\.planned),
                billable: outcome.billablePaths,
                month: month, figure: figure, context: context, into: &metrics)
            logger.raw(metrics.line(namespace: metricsNamespace, timestamp: now(), logger: logger))
            return outcome.answer(reply)
        }
    }

    /// Where this event's windows flush to, when it is to be coalesced; nil: it is planned on its own. Without a
    /// queue (S3 or SNS invoking the function directly, no `COALESCE_QUEUE_URL`) there is nowhere to schedule a
    /// flush, so the changes are invalidated now, with a warning; without `COALESCE_TABLE`, a flush message has
    /// nothing to flush and is noted as such.
    func coalescingQueue(_ event: inout DecodedEvent, coalescer: Coalescer?, logger: Logger) -> String? {
        guard let coalescer else {
            for (messageId, _) in event.flushes {
                event.notes.append(
                    RecordNote(
                        record: "message \(messageId)",
                        reason: "a coalescing flush, but COALESCE_TABLE is not set: no window to flush",
                        severity: .rejected))
            }
            return nil
        }
        if let queueURL = Self.flushQueue(event, settings: coalescer.settings) { return queueURL }
        if !event.units.isEmpty {
            logger.warn(
                "COALESCE_TABLE is set, but this event came from no queue and COALESCE_QUEUE_URL is not set: "
                    + "nowhere to schedule a flush, so its changes are invalidated now",
                ["source": event.source.rawValue])
        }
        return nil
    }

    /// Submits planned invalidations within one invocation's context.
    func submission(_ context: InvocationContext) -> Submission {
        Submission(
            clients: clients, session: context.session, context: context.work, waitDeadline: context.waitDeadline,
            random: random)
    }
}

extension Reply {
    var isPipelineJob: Bool {
        if case .pipelineJob = self { return true }
        return false
    }
}

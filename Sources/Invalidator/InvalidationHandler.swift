import AWSClient
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
    var cloudFront: CloudFrontClient
    var codePipeline: CodePipelineClient
    /// Waiting for in-progress invalidations ends this long before the invocation's deadline (time to answer, and
    /// for a pipeline job to report).
    public var deadlineMargin: Duration = .seconds(2)
    /// The jitter of waits for in-progress invalidations (injected by tests).
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
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

    public func handle(_ invocation: Invocation, logger: Logger) async -> InvocationResult {
        let started = ContinuousClock.now
        let event = EventDecoder.decode(invocation.body)
        let reply = event.reply
        let context = InvocationContext(
            deadline: invocation.deadline, traceId: invocation.traceId, logger: logger, now: now(),
            reservingReport: reply.isPipelineJob, waitMargin: deadlineMargin, started: started)
        switch reply {
        case .pipelineJob(let job):
            return await handle(job: job, context: context)
        case .batchItemFailures, .invocationResult:
            let outcome = await handle(changes: event, context: context)
            outcome.logSummary(logger)
            logger.raw(outcome.metrics.line(namespace: metricsNamespace, timestamp: now(), logger: logger))
            return outcome.answer(reply)
        }
    }

    /// Submits planned invalidations within one invocation's context.
    func submission(_ context: InvocationContext) -> Submission {
        Submission(cloudFront: cloudFront, context: context.work, waitDeadline: context.waitDeadline, random: random)
    }
}

extension Reply {
    var isPipelineJob: Bool {
        if case .pipelineJob = self { return true }
        return false
    }
}

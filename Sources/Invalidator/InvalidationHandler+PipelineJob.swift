import AWSClient
import Formats
import FoundationEssentials
import InvalidationCore
import JSONSupport
import LambdaRuntime

extension InvalidationHandler {
    /// What a job asks for and the requests of its first invocation, or why it cannot be served.
    static func jobRequests(
        _ job: PipelineJob, configuredIds: [String], planner: PlannerSettings
    ) -> Result<(PipelineRequest, [PlannedInvalidation]), InputError> {
        let request: PipelineRequest
        do {
            request = try PipelineRequest(userParameters: job.userParameters)
        } catch {
            return .failure(error)
        }
        let targets =
            request.targets.isEmpty ? configuredIds.map { CloudFrontTarget.distribution($0) } : request.targets
        guard !targets.isEmpty else {
            return .failure(
                InputError(
                    "no distribution: UserParameters names none (a bare id, or {\"distributionId\": \"E…\"}) and the "
                        + "function has no CLOUDFRONT_DISTRIBUTION_ID or CF_DIST_ID_LABEL"))
        }
        return .success(
            (
                request,
                Planner.requests(
                    forJob: job, targets: targets, paths: request.paths, tags: request.tags, settings: planner)
            ))
    }

    /// Serves a CodePipeline job. Every path ends in `PutJobSuccessResult` or `PutJobFailureResult`; the function
    /// then answers success to Lambda (an asynchronous retry must not report twice), unless the report itself could
    /// not be delivered, in which case Lambda's retry is the way to deliver it.
    func handle(job: PipelineJob, context: InvocationContext) async -> InvocationResult {
        var context = context
        context.logger = context.logger.with("jobId", job.id)
        var metrics = InvocationMetrics()
        let outcome: JobOutcome
        if let token = job.continuationToken {
            if let state = PipelineWaitState(token: token, now: Int64(now().timeIntervalSince1970)) {
                metrics.distributionIds = state.invalidations.map(\.target.key)
                let externalId = (try? PipelineRequest(userParameters: job.userParameters))?.externalId
                outcome = await poll(state, externalId: externalId, context: context)
            } else {
                outcome = .failed(
                    .jobFailed,
                    message: "The continuation token was not written by this function; run the action again.",
                    externalId: nil)
            }
        } else {
            outcome = await start(job, context: context, metrics: &metrics)
        }
        let result = await report(outcome, job: job, context: context)
        let calls = context.work.statistics.counts
        metrics.retries = calls.retries
        metrics.throttles = calls.throttles
        // A job's own paths are not held to the budget (the pipeline asked for them), but they count in the month.
        await countMonth(
            submitted: [], billable: metrics.billablePaths, month: BillingMonth(containing: now()), figure: nil,
            context: context, into: &metrics)
        context.logger.raw(metrics.line(namespace: metricsNamespace, timestamp: now(), logger: context.logger))
        return result
    }

    private func start(
        _ job: PipelineJob, context: InvocationContext, metrics: inout InvocationMetrics
    ) async -> JobOutcome {
        let request: PipelineRequest
        let planned: [PlannedInvalidation]
        switch Self.jobRequests(job, configuredIds: distributionIds, planner: planner) {
        case .failure(let error):
            return .failed(.configurationError, message: error.message, externalId: nil)
        case .success(let plan):
            (request, planned) = plan
        }
        if let refusal = await tagRefusal(
            request, targets: planned.map(\.target), externalId: request.externalId, context: context)
        {
            return .failed(.configurationError, message: refusal, externalId: nil)
        }
        var created: [(PlannedInvalidation, Invalidation)] = []
        metrics.distributionIds = planned.map(\.target.key)
        var submission = submission(context)
        submission.externalId = request.externalId
        for item in planned {
            let submitted = await submission.submit(item, logger: context.logger)
            metrics.limitWaits += submitted.limitWaits
            switch submitted.result {
            case .success(let invalidation):
                created.append((item, invalidation))
                metrics.invalidationsCreated += 1
                metrics.pathsSubmitted += item.paths.count
                metrics.billablePaths += item.billablePaths
            case .failure(let error):
                let done = created.map { "\($0.1.id) on \($0.0.target.resourceKey)" }
                let prefix = done.isEmpty ? "" : "Created \(done.joined(separator: ", ")), but "
                let (type, reason) = Self.classify(error, target: item.target, action: "CreateInvalidation")
                return .failed(type, message: prefix + reason, externalId: created.first?.1.id)
            }
        }
        let ids = created.map { "\($0.1.id) on \($0.0.target.resourceKey)" }.joined(separator: ", ")
        let paths = (request.tags + request.paths).joined(separator: " ")
        let externalId = created.map(\.1.id).joined(separator: ",")
        let pending = created.filter { !$0.1.isCompleted }
        guard request.wait, !pending.isEmpty else {
            let verb = request.wait ? "completed" : "created"
            return .succeeded(summary: "Invalidation \(ids) \(verb) for \(paths)", externalId: externalId)
        }
        let state = PipelineWaitState(
            startedAt: Int64(now().timeIntervalSince1970), maxWaitSeconds: request.maxWaitSeconds,
            invalidations: pending.map {
                PipelineWaitState.Pending(target: $0.0.target, invalidationId: $0.1.id)
            })
        return .continuing(
            state: state, summary: "Invalidation \(ids) created for \(paths); waiting for completion",
            percent: 100 * (created.count - pending.count) / created.count)
    }

    /// Why a job's tags must not be sent, or nil: a distribution whose `CacheTagConfig` is not confirmed would
    /// accept them and purge nothing, leaving the pipeline's deploy stale behind a green stage. The job fails as a
    /// configuration error naming the distribution, unless `"forceTags": true`.
    func tagRefusal(
        _ request: PipelineRequest, targets: [CloudFrontTarget], externalId: String?, context: InvocationContext
    ) async -> String? {
        guard !request.tags.isEmpty, !request.forceTags, let cacheTagCheck else { return nil }
        var seen = Set<CloudFrontTarget>()
        for target in targets where seen.insert(target).inserted {
            let verdict = await cacheTagCheck.verdict(
                target: target, logger: nil, context: context.work, session: context.session)
            if case .unconfirmed(let reason) = verdict {
                return "Cache tags for \(target.kindName) \(target.resourceKey) would invalidate nothing: \(reason). "
                    + "Enable its "
                    + "CacheTagConfig with the header the deploy sets, or add \"forceTags\": true to UserParameters."
            }
        }
        return nil
    }

    /// - Parameter externalId: the job's `"externalId"`, for the roles its targets are reached through.
    private func poll(
        _ state: PipelineWaitState, externalId: String?, context: InvocationContext
    ) async -> JobOutcome {
        var stillRunning: [PipelineWaitState.Pending] = []
        for pending in state.invalidations {
            do {
                let cloudFront = try await clients.client(
                    for: pending.target, externalId: externalId, session: context.session, context: context.work)
                let invalidation = try await cloudFront.getInvalidation(
                    target: pending.target, id: pending.invalidationId, context: context.work)
                if !invalidation.isCompleted { stillRunning.append(pending) }
            } catch  where error.kind == .service && !error.isRetryable {
                let (type, reason) = Self.classify(error, target: pending.target, action: "GetInvalidation")
                return .failed(type, message: reason, externalId: pending.invalidationId)
            } catch {
                context.logger.warn(
                    "could not read the invalidation's status; asking again next time",
                    ["invalidation": pending.invalidationId, "error": error.description])
                stillRunning.append(pending)
            }
        }
        let all = state.invalidations.map { "\($0.invalidationId) on \($0.target.resourceKey)" }.joined(separator: ", ")
        let externalId = state.invalidations.map(\.invalidationId).joined(separator: ",")
        if stillRunning.isEmpty {
            return .succeeded(summary: "Invalidation \(all) completed", externalId: externalId)
        }
        let elapsed = state.elapsed(now: Int64(now().timeIntervalSince1970))
        if elapsed >= Int64(state.maxWaitSeconds) {
            let running = stillRunning.map { "\($0.invalidationId) on \($0.target.resourceKey)" }.joined(
                separator: ", ")
            return .failed(
                .jobFailed,
                message: "Invalidation \(running) still in progress after \(elapsed) s (maxWaitSeconds "
                    + "\(state.maxWaitSeconds)). It was not cancelled and will complete on its own; raise "
                    + "maxWaitSeconds or drop \"wait\" to stop waiting for it.",
                externalId: externalId)
        }
        var next = state
        next.invalidations = stillRunning
        let done = state.invalidations.count - stillRunning.count
        return .continuing(
            state: next, summary: "Waiting for invalidation \(all) (\(elapsed) s so far)",
            percent: 100 * done / state.invalidations.count)
    }

    /// Turns a CloudFront error into CodePipeline's failure type and a message a person can act on.
    static func classify(_ error: AWSError, target: CloudFrontTarget, action: String) -> (JobFailureType, String) {
        let named = "\(target.kindName) \(target.resourceKey)"
        let title = (target.tenantId == nil ? "Distribution " : "Tenant ") + target.resourceKey
        let action = target.tenantId == nil ? action : action + "ForDistributionTenant"
        if error.service == "sts", target.roleArn != nil {
            // STS refused (a trust policy, an external id, a missing grant): the job cannot succeed as configured.
            // STS unreachable or throttling: running the stage again may.
            guard error.kind == .service, !error.isRetryable else {
                return (.jobFailed, "STS did not answer for \(named); retry the stage (\(error))")
            }
            return (
                .permissionError,
                "Could not assume the role for \(named): its trust policy must trust the function's role (with the "
                    + "external id it asks for), and the function's role needs sts:AssumeRole on it (\(error))"
            )
        }
        switch error.code {
        case "AccessDenied", "AccessDeniedException":
            let role = target.roleArn.map { "role \($0)" } ?? "the function's role"
            return (
                .permissionError,
                "CloudFront denied \(action) on \(named): \(role) needs cloudfront:\(action) on it (\(error))"
            )
        case "NoSuchDistribution", "EntityNotFound":
            return (
                .configurationError,
                "\(title) does not exist in "
                    + (target.roleArn == nil ? "this account" : "the account of \(target.roleArn!)")
                    + ": check UserParameters or the function's configuration (\(error))"
            )
        case "TooManyInvalidationsInProgress":
            return (
                .jobFailed,
                "\(title) had too many invalidations in progress until the function's deadline "
                    + "(CloudFront allows 3,000 file paths and 15 wildcard paths in progress): retry the stage, or "
                    + "raise the function's timeout to wait longer (\(error))"
            )
        default:
            return (.jobFailed, "\(action) on \(named) failed: \(error)")
        }
    }

    private func report(_ outcome: JobOutcome, job: PipelineJob, context: InvocationContext) async -> InvocationResult {
        let logger = context.logger
        let result: String
        do {
            switch outcome {
            case .succeeded(let summary, let externalId):
                result = "succeeded"
                logger.info("pipeline job succeeded", ["summary": summary])
                try await codePipeline.putJobSuccessResult(
                    jobId: job.id, summary: summary, externalExecutionId: externalId, context: context.report)
            case .continuing(let state, let summary, let percent):
                result = "continuing"
                logger.info("pipeline job waiting", ["summary": summary, "percentComplete": String(percent)])
                try await codePipeline.putJobSuccessResult(
                    jobId: job.id, summary: summary,
                    externalExecutionId: state.invalidations.map(\.invalidationId).joined(separator: ","),
                    percentComplete: percent, continuationToken: state.token, context: context.report)
            case .failed(let type, let message, let externalId):
                result = "failed"
                logger.error("pipeline job failed", ["type": type.rawValue, "message": message])
                try await codePipeline.putJobFailureResult(
                    jobId: job.id, type: type, message: message, externalExecutionId: externalId,
                    context: context.report)
            }
        } catch  where error.code == "InvalidJobStateException" {
            logger.warn("the job was already reported; nothing to do", ["error": error.description])
            return .success(
                Array(JSON.serialize(.object(["jobId": .string(job.id), "result": .string("already reported")])).utf8))
        } catch {
            logger.error(
                "could not report the job to CodePipeline; failing the invocation so Lambda retries",
                ["error": error.description])
            return .failure(
                FunctionError(
                    errorType: "Invalidator.JobReportFailed",
                    errorMessage: "could not report CodePipeline job \(job.id): \(error)"))
        }
        return .success(Array(JSON.serialize(.object(["jobId": .string(job.id), "result": .string(result)])).utf8))
    }
}

import AWSClient
import Formats
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

/// Submitting one planned invalidation safely: the client retries throttling and transient failures as the SDKs do;
/// this adds what only the function knows.
///
/// - `TooManyInvalidationsInProgress` (CloudFront's in-progress limits) is waited out with backoff until the
///   invocation's deadline less a margin, never past it; then the work is handed back.
/// - A CallerReference conflict (`InvalidationBatchAlreadyExists`, or `InvalidArgument` naming the caller reference)
///   is a defect: our references are derived from the changes and the paths, so the same reference with other paths
///   means someone else used it, or a bug. It is logged as an error with both batches' identities, and submitted once
///   more under a reference derived from the conflicting one (deterministic, so a redelivery stays idempotent),
///   never retried blindly.
///
/// A target in another account is reached through its role (`TargetClients`); a role that cannot be assumed fails
/// that target's submission, naming the role, and only its work is handed back.
public struct Submission: Sendable {
    public var clients: TargetClients
    /// Names the role sessions this submission assumes (`RoleAccess.sessionName`).
    public var session: String
    /// A pipeline job's `"externalId"` for the role its targets name (nil: the configured one).
    public var externalId: String?
    /// The caller's deadline, trace and counts, for every call.
    public var context: AWSCallContext
    /// Waiting for in-progress invalidations stops here (nil: no waiting at all).
    public var waitDeadline: Date?
    public var random: @Sendable () -> Double

    public init(
        clients: TargetClients, session: String, context: AWSCallContext = AWSCallContext(), waitDeadline: Date?,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.clients = clients
        self.session = session
        self.context = context
        self.waitDeadline = waitDeadline
        self.random = random
    }

    /// The longest single wait for in-progress invalidations to finish.
    static let maximumWait: Duration = .seconds(20)

    public struct Outcome: Sendable {
        public var result: Result<Invalidation, AWSError>
        /// The reference the invalidation was submitted under: the plan's, or after a conflict the one derived from it.
        public var callerReference: String
        /// Waits for in-progress invalidations.
        public var limitWaits = 0
        public var conflicts = 0
    }

    static func isCallerReferenceConflict(_ error: AWSError) -> Bool {
        error.code == "InvalidationBatchAlreadyExists"
            || (error.code == "InvalidArgument" && error.message.lowercased().containsText("caller reference"))
    }

    public func submit(_ planned: PlannedInvalidation, logger: Logger) async -> Outcome {
        var outcome = Outcome(result: .failure(Self.placeholder), callerReference: planned.callerReference)
        let cloudFront: CloudFrontClient
        do {
            cloudFront = try await clients.client(
                for: planned.target, externalId: externalId, session: session, context: context)
        } catch {
            outcome.result = .failure(error)
            return outcome
        }
        var reference = planned.callerReference
        while true {
            do {
                let invalidation = try await cloudFront.createInvalidation(
                    target: planned.target, callerReference: reference, paths: planned.paths, context: context)
                outcome.result = .success(invalidation)
                outcome.callerReference = reference
                return outcome
            } catch  where error.code == "TooManyInvalidationsInProgress" {
                guard let delay = nextWait(after: outcome.limitWaits) else {
                    logger.warn(
                        "too many invalidations in progress until the deadline; handing the work back",
                        ["distribution": planned.target.key, "waits": String(outcome.limitWaits)])
                    outcome.result = .failure(error)
                    return outcome
                }
                outcome.limitWaits += 1
                logger.info(
                    "too many invalidations in progress; waiting for some to complete",
                    [
                        "distribution": planned.target.key, "waitMilliseconds": String(delay.milliseconds),
                        "wait": String(outcome.limitWaits),
                    ])
                do {
                    try await clients.clock.sleep(for: delay)
                } catch {
                    outcome.result = .failure(
                        AWSError(
                            kind: .timeout, code: "Cancelled", message: "cancelled while waiting",
                            service: "cloudfront", operation: "CreateInvalidation"))
                    return outcome
                }
            } catch  where Self.isCallerReferenceConflict(error) {
                outcome.conflicts += 1
                let existing = await findBatch(
                    target: planned.target, callerReference: reference, cloudFront: cloudFront)
                let alternate = Planner.conflictReference(for: planned.callerReference)
                let again = reference == alternate
                logger.error(
                    again
                        ? "caller reference conflict again; handing the work back (defect)"
                        : "caller reference conflict: the same reference names another batch (defect); submitting "
                            + "once under a derived reference",
                    [
                        "distribution": planned.target.key, "callerReference": reference,
                        "paths": String(planned.paths.count), "pathsDigest": Planner.digestHex(planned.paths),
                        "records": planned.unitLabels.joined(separator: ","),
                        "existingInvalidation": existing?.id ?? "not among the 10 most recent",
                        "existingCreateTime": existing?.createTime ?? "",
                        "existingPaths": existing.map { String($0.paths.count) } ?? "",
                        "existingPathsDigest": existing.map { Planner.digestHex($0.paths) } ?? "",
                        "nextCallerReference": again ? "" : alternate, "error": error.description,
                    ])
                guard !again else {
                    outcome.result = .failure(error)
                    return outcome
                }
                reference = alternate
            } catch {
                outcome.result = .failure(error)
                return outcome
            }
        }
    }

    /// The wait before trying again after `waits` waits: exponential from 1 s, capped at `maximumWait`, with equal
    /// jitter; nil when it would end too close to the deadline.
    func nextWait(after waits: Int) -> Duration? {
        guard let waitDeadline else { return nil }
        let ceiling = min(Double(1 << min(waits, 10)), Self.maximumWait.seconds)
        var delay = ceiling / 2 + random() * ceiling / 2
        let remaining =
            waitDeadline.timeIntervalSince(clients.clock.now()) - AWSServiceClient.minimumAttemptTime.seconds
        guard remaining > 0.05 else { return nil }
        delay = min(delay, remaining)
        return .milliseconds(Int64(delay * 1000))
    }

    /// The invalidation that holds `callerReference`, looked for among the target's 10 most recent ones.
    func findBatch(target: CloudFrontTarget, callerReference: String, cloudFront: CloudFrontClient) async
        -> Invalidation?
    {
        guard
            let page = try? await cloudFront.listInvalidations(target: target, maxItems: 10, context: context)
        else {
            return nil
        }
        for summary in page.invalidations {
            guard
                let invalidation = try? await cloudFront.getInvalidation(
                    target: target, id: summary.id, context: context)
            else { return nil }
            if invalidation.callerReference == callerReference { return invalidation }
        }
        return nil
    }

    private static let placeholder = AWSError(
        kind: .invalidRequest, code: "NotSubmitted", message: "", service: "cloudfront",
        operation: "CreateInvalidation")
}

import JSONSupport
import LocalAWS

/// Runs a CodePipeline job through a `bootstrap` the way CodePipeline does: invoke with the job; while the job
/// reports success with a continuation token, invoke again with that token; stop when the job has ended.
public enum PipelineSimulation {
    /// What the simulation saw.
    public struct Report: Sendable {
        public var session: SessionReport
        /// The job's state in the fake CodePipeline at the end.
        public var finalState: FakeCodePipeline.JobState?
    }

    /// - Parameters:
    ///   - environment: the function's environment; `AWS_ENDPOINT_URL_CODEPIPELINE` is set to the fake.
    ///   - interval: the pause between re-invocations (CodePipeline's is about a minute; tests use none).
    ///   - maximumInvocations: a bound, so that a job that never ends cannot hang a test.
    public static func run(
        executable: String, environment: [String: String], jobEvent: [UInt8], codePipeline: FakeCodePipeline,
        interval: Duration = .zero, maximumInvocations: Int = 20
    ) async throws -> Report {
        let event = try JSON.parse(jobEvent)
        guard let jobId = event["CodePipeline.job"]?["id"]?.string else {
            throw EmulatorError(description: "the event is not a CodePipeline job")
        }
        await codePipeline.addJob(jobId)
        var environment = environment
        environment["AWS_ENDPOINT_URL_CODEPIPELINE"] = codePipeline.endpoint
        let session = try await EmulatorSession.run(executable: executable, environment: environment) { index, _ in
            if index == 0 { return jobEvent }
            guard index < maximumInvocations, case .continuing(let token)? = await codePipeline.job(jobId) else {
                return nil
            }
            if interval > .zero { try? await Task.sleep(for: interval) }
            return Array(JSON.serialize(withContinuationToken(event, token)).utf8)
        }
        return Report(session: session, finalState: await codePipeline.job(jobId))
    }

    /// The job event as CodePipeline re-sends it: the same job with `data.continuationToken` set.
    public static func withContinuationToken(_ event: JSONValue, _ token: String) -> JSONValue {
        guard case .object(var root) = event, case .object(var job)? = root["CodePipeline.job"],
            case .object(var data)? = job["data"]
        else { return event }
        data["continuationToken"] = .string(token)
        job["data"] = .object(data)
        root["CodePipeline.job"] = .object(job)
        return .object(root)
    }
}

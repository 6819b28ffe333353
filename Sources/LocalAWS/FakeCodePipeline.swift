import JSONSupport

/// CodePipeline's job-result API as the documentation describes it, for tests and the demo (moto answers these
/// calls with HTTP 500 "not implemented").
///
/// JSON 1.1 on `POST /` with `X-Amz-Target: CodePipeline_20150709.PutJobSuccessResult` or `…PutJobFailureResult`.
/// It checks what the real service checks (a SigV4 `Authorization` for the `codepipeline` scope, `jobId`, the
/// failure type, field lengths), answers `JobNotFoundException` for a job it was not told about and
/// `InvalidJobStateException` for a result on a job that already ended, and records every call.
public final class FakeCodePipeline: Sendable {
    /// One call, and what it was answered.
    public struct Call: Sendable, Equatable {
        public var operation: String
        public var jobId: String
        public var body: JSONValue
        /// The error code answered, nil for success.
        public var error: String?
    }

    /// A job's state as the fake sees it.
    public enum JobState: Sendable, Equatable, CustomStringConvertible {
        case inProgress
        /// Succeeded with a continuation token: CodePipeline would invoke the function again with it.
        case continuing(token: String)
        case succeeded
        case failed(type: String, message: String)

        public var description: String {
            switch self {
            case .inProgress: return "in progress"
            case .continuing: return "in progress (continuation token handed back)"
            case .succeeded: return "succeeded"
            case .failed(let type, let message): return "failed (\(type)): \(message)"
            }
        }
    }

    let server: LoopbackHTTPServer
    let state: State

    actor State {
        var jobs: [String: JobState] = [:]
        var calls: [Call] = []

        func addJob(_ id: String) { jobs[id] = .inProgress }
        func job(_ id: String) -> JobState? { jobs[id] }

        func handle(_ request: LoopbackRequest) -> LoopbackReply {
            guard request.method == "POST", request.path == "/" else {
                return FakeCodePipeline.error(404, "UnknownOperationException", "no such resource")
            }
            guard let authorization = request.header("authorization"),
                authorization.hasPrefix("AWS4-HMAC-SHA256 Credential="),
                authorization.contains("/codepipeline/aws4_request")
            else {
                return FakeCodePipeline.error(400, "MissingAuthenticationTokenException", "request is not signed")
            }
            guard request.header("content-type") == "application/x-amz-json-1.1" else {
                return FakeCodePipeline.error(400, "UnknownOperationException", "content type is not JSON 1.1")
            }
            let target = request.header("x-amz-target") ?? ""
            let operation = String(target.split(separator: ".").last ?? "")
            guard target.hasPrefix("CodePipeline_20150709."),
                operation == "PutJobSuccessResult" || operation == "PutJobFailureResult"
            else {
                return FakeCodePipeline.error(400, "UnknownOperationException", "unknown operation \(target)")
            }
            guard let body = try? JSON.parse(request.body), let jobId = body["jobId"]?.string, !jobId.isEmpty else {
                calls.append(Call(operation: operation, jobId: "", body: .null, error: "ValidationException"))
                return FakeCodePipeline.error(400, "ValidationException", "jobId is required")
            }
            let reply = answer(operation: operation, jobId: jobId, body: body)
            calls.append(
                Call(operation: operation, jobId: jobId, body: body, error: reply.status == 200 ? nil : reply.code))
            return reply.reply
        }

        private func answer(
            operation: String, jobId: String, body: JSONValue
        ) -> (status: Int, code: String?, reply: LoopbackReply) {
            func fail(_ code: String, _ message: String) -> (Int, String?, LoopbackReply) {
                (400, code, FakeCodePipeline.error(400, code, message))
            }
            guard let current = jobs[jobId] else { return fail("JobNotFoundException", "job \(jobId) not found") }
            switch current {
            case .succeeded, .failed:
                return fail("InvalidJobStateException", "job \(jobId) has already ended")
            case .inProgress, .continuing:
                break
            }
            if operation == "PutJobSuccessResult" {
                let summary = body["executionDetails"]?["summary"]?.string ?? ""
                if summary.count > 2048 { return fail("ValidationException", "summary longer than 2048") }
                if let external = body["executionDetails"]?["externalExecutionId"]?.string, external.count > 1500 {
                    return fail("ValidationException", "externalExecutionId longer than 1500")
                }
                if let token = body["continuationToken"]?.string {
                    guard (1...2048).contains(token.count) else {
                        return fail("ValidationException", "continuationToken must be 1 to 2048 characters")
                    }
                    if body["outputVariables"] != nil {
                        return fail("ValidationException", "outputVariables are not allowed with a continuationToken")
                    }
                    jobs[jobId] = .continuing(token: token)
                } else {
                    jobs[jobId] = .succeeded
                }
            } else {
                let types = [
                    "JobFailed", "ConfigurationError", "PermissionError", "RevisionOutOfSync", "RevisionUnavailable",
                    "SystemUnavailable",
                ]
                guard let type = body["failureDetails"]?["type"]?.string, types.contains(type) else {
                    return fail("ValidationException", "failureDetails.type must be one of \(types)")
                }
                guard let message = body["failureDetails"]?["message"]?.string, (1...5000).contains(message.count)
                else {
                    return fail("ValidationException", "failureDetails.message must be 1 to 5000 characters")
                }
                jobs[jobId] = .failed(type: type, message: message)
            }
            return (
                200, nil,
                LoopbackReply(status: 200, headers: [("content-type", "application/x-amz-json-1.1")], text: "{}")
            )
        }
    }

    public static func start() async throws -> FakeCodePipeline {
        let state = State()
        let server = try await LoopbackHTTPServer.start { request in await state.handle(request) }
        return FakeCodePipeline(server: server, state: state)
    }

    private init(server: LoopbackHTTPServer, state: State) {
        self.server = server
        self.state = state
    }

    /// The value for `AWS_ENDPOINT_URL_CODEPIPELINE`.
    public var endpoint: String { server.origin }

    /// Makes a job known (CodePipeline creates it before invoking the function).
    public func addJob(_ id: String) async { await state.addJob(id) }

    public func job(_ id: String) async -> JobState? { await state.job(id) }

    public var calls: [Call] {
        get async { await state.calls }
    }

    public func shutdown() async { await server.shutdown() }

    static func error(_ status: Int, _ code: String, _ message: String) -> LoopbackReply {
        LoopbackReply(
            status: status, headers: [("content-type", "application/x-amz-json-1.1"), ("x-amzn-errortype", code)],
            text: JSON.serialize(.object(["__type": .string(code), "message": .string(message)])))
    }
}

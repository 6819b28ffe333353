import JSONSupport

/// How a job failed, as CodePipeline classifies it (`FailureDetails.type`).
public enum JobFailureType: String, Sendable {
    case jobFailed = "JobFailed"
    case configurationError = "ConfigurationError"
    case permissionError = "PermissionError"
    case revisionOutOfSync = "RevisionOutOfSync"
    case revisionUnavailable = "RevisionUnavailable"
    case systemUnavailable = "SystemUnavailable"
}

/// CodePipeline's JSON 1.1 API: reporting a job's result.
public struct CodePipelineClient: AWSServiceAPI {
    public static let service = AWSService.codePipeline
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.json
    public let client: AWSServiceClient

    /// Limits of the API's fields (botocore's model).
    public static let maximumSummaryLength = 2048
    public static let maximumExternalExecutionIdLength = 1500
    public static let maximumMessageLength = 5000

    /// Over a configured service client (one with another request timeout, say).
    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `PutJobSuccessResult`. With a `continuationToken` the job stays open and CodePipeline invokes the function
    /// again with that token.
    public func putJobSuccessResult(
        jobId: String, summary: String, externalExecutionId: String?, percentComplete: Int? = nil,
        continuationToken: String? = nil, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) {
        var details: [String: JSONValue] = ["summary": .string(Self.clip(summary, Self.maximumSummaryLength))]
        if let externalExecutionId, !externalExecutionId.isEmpty {
            details["externalExecutionId"] = .string(
                Self.clip(externalExecutionId, Self.maximumExternalExecutionIdLength))
        }
        if let percentComplete { details["percentComplete"] = .number(String(min(100, max(0, percentComplete)))) }
        var body: [String: JSONValue] = ["jobId": .string(jobId), "executionDetails": .object(details)]
        if let continuationToken { body["continuationToken"] = .string(continuationToken) }
        _ = try await client.sendJSON(
            operation: "PutJobSuccessResult", target: "CodePipeline_20150709.PutJobSuccessResult", body: .object(body),
            context: context)
    }

    /// `PutJobFailureResult`.
    public func putJobFailureResult(
        jobId: String, type: JobFailureType, message: String, externalExecutionId: String?,
        context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) {
        var details: [String: JSONValue] = [
            "type": .string(type.rawValue), "message": .string(Self.clip(message, Self.maximumMessageLength)),
        ]
        if let externalExecutionId, !externalExecutionId.isEmpty {
            details["externalExecutionId"] = .string(
                Self.clip(externalExecutionId, Self.maximumExternalExecutionIdLength))
        }
        _ = try await client.sendJSON(
            operation: "PutJobFailureResult", target: "CodePipeline_20150709.PutJobFailureResult",
            body: .object(["jobId": .string(jobId), "failureDetails": .object(details)]), context: context)
    }

    /// Cuts text to the API's limit (in characters), marking the cut.
    static func clip(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}

import Formats
import JSONSupport

/// A CodePipeline "invoke Lambda" job, as much of it as the function needs.
///
/// The event also carries `artifactCredentials` (temporary keys to the pipeline's artifact bucket): they are never
/// read here, never stored, never logged.
public struct PipelineJob: Sendable, Equatable {
    public var id: String
    /// The action's `UserParameters` (empty when not set).
    public var userParameters: String
    /// Set on re-invocations, as the function handed it back with `PutJobSuccessResult`.
    public var continuationToken: String?

    /// Reads `CodePipeline.job` (a key with a dot: looked up whole, never as a path). nil without a job id.
    public init?(event: JSONValue) {
        guard let job = event["CodePipeline.job"], let id = job["id"]?.string, !id.isEmpty else { return nil }
        self.id = id
        let data = job["data"]
        userParameters = data?["actionConfiguration"]?["configuration"]?["UserParameters"]?.string ?? ""
        continuationToken = data?["continuationToken"]?.string.flatMap { $0.isEmpty ? nil : $0 }
    }
}

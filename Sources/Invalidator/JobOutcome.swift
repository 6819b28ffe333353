import AWSClient
import InvalidationCore

/// How a pipeline job invocation ends: what `report` tells CodePipeline.
enum JobOutcome {
    case succeeded(summary: String, externalId: String?)
    case continuing(state: PipelineWaitState, summary: String, percent: Int)
    case failed(JobFailureType, message: String, externalId: String?)
}

import JSONSupport

/// The trigger that delivered an event, recognised from its shape.
public enum EventSource: String, Sendable {
    case sqs
    case s3
    case sns
    case eventBridge = "eventbridge"
    case s3TestEvent = "s3-test-event"
    case codePipeline = "codepipeline"
    case unrecognised
}

/// An invocation's event, decoded: the changes per delivery unit, and a note for every record that gave none.
public struct DecodedEvent: Sendable {
    public var source: EventSource
    public var units: [DeliveryUnit]
    public var notes: [RecordNote]
    /// The job, for a CodePipeline event.
    public var pipelineJob: PipelineJob? = nil
    /// The queue an SQS batch came from (its records' `eventSourceARN`): where a coalescing window's flush is sent.
    public var queueARN: String? = nil

    /// Every change of every unit.
    public var changes: [ObjectChange] { units.flatMap(\.changes) }

    /// The flush messages of an SQS batch, with the message each came in.
    public var flushes: [(messageId: String, flush: FlushMessage)] {
        units.compactMap { unit in unit.flush.flatMap { flush in unit.messageId.map { ($0, flush) } } }
    }

    /// How the invoker must hear what became of this event: the one place that tells an SQS batch, a direct
    /// invoke and a pipeline job apart.
    public var reply: Reply {
        if let pipelineJob { return .pipelineJob(pipelineJob) }
        return source == .sqs ? .batchItemFailures : .invocationResult
    }
}

/// How the invoker hears what became of an event, which its shape decides.
public enum Reply: Sendable, Equatable {
    /// An SQS batch: `batchItemFailures` naming exactly the messages to receive again; the rest are deleted.
    case batchItemFailures
    /// A direct invoke (S3, SNS, EventBridge, or an event that asks for nothing): a summary, or an invocation error
    /// so that Lambda retries the event.
    case invocationResult
    /// A CodePipeline job: reported to CodePipeline, which is what the pipeline waits for.
    case pipelineJob(PipelineJob)
}

import JSONSupport

/// What happened to an object.
public enum ChangeKind: String, Sendable, Hashable {
    case created
    case deleted
}

/// One changed object, as the core sees it: the key decoded once, whatever the event's source.
public struct ObjectChange: Sendable, Hashable {
    public var bucket: String
    /// The object key, decoded (a space is a space, a plus a plus).
    public var key: String
    public var kind: ChangeKind
    /// What makes this change this change and no other (event ids, sequencer, etag, version, time, key); feeds the
    /// CallerReference, so a redelivered batch reproduces it and a different batch cannot.
    public var identity: String

    public init(bucket: String, key: String, kind: ChangeKind, identity: String) {
        self.bucket = bucket
        self.key = key
        self.kind = kind
        self.identity = identity
    }
}

/// A unit of delivery: an SQS message (which the function may hand back) or one record of a direct invoke.
public struct DeliveryUnit: Sendable, Equatable {
    /// The SQS message id, used for `batchItemFailures`; nil for direct invokes.
    public var messageId: String?
    /// How logs name the unit: `message <id>` or `record <n>`.
    public var label: String
    public var changes: [ObjectChange]
}

/// A record that produced no change, and why: bad input, a test event, an unrelated event.
public struct RecordNote: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// The record could not be used (malformed, invalid key…): logged as a warning, acknowledged.
        case rejected
        /// The record is fine but asks for nothing (s3:TestEvent, a tagging event…): logged at info.
        case ignored
    }
    public var record: String
    public var reason: String
    public var severity: Severity
    /// The bucket the note is about, when it is about a bucket (no distribution serves it).
    public var bucket: String?

    public init(record: String, reason: String, severity: Severity, bucket: String? = nil) {
        self.record = record
        self.reason = reason
        self.severity = severity
        self.bucket = bucket
    }

    public var description: String { "\(record): \(reason)" }
}

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

    /// Every change of every unit.
    public var changes: [ObjectChange] { units.flatMap(\.changes) }

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

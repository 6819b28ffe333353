import JSONSupport

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

import JSONSupport

/// The message the function sends to its own queue to flush a coalescing window: "one invalidation for everything
/// recorded for this target in this window, once it has been quiet".
///
/// It names, and never carries, the work: the changes are in the table, so a forged or duplicated flush can at most
/// flush early what was recorded, and a redelivered one finds the window flushed. Recognised by its marker member
/// (`"cloudfrontInvalidator": "flush"`) among the S3 and EventBridge bodies the same queue delivers.
public struct FlushMessage: Sendable, Equatable {
    /// The distribution or tenant, and the role it is reached through.
    public var target: CloudFrontTarget
    /// The window it flushes (the table's `HEAD.window` when it was scheduled).
    public var window: Int64
    /// When it was due, in milliseconds since the epoch: the `flushAt` it was scheduled for, which tells the flush
    /// that answers for the window's schedule from an extra one.
    public var due: Int64

    public init(target: CloudFrontTarget, window: Int64, due: Int64) {
        self.target = target
        self.window = window
        self.due = due
    }

    /// The marker member's name and value.
    public static let marker = "cloudfrontInvalidator"
    static let kind = "flush"

    /// The message body: one line of JSON.
    public var body: String {
        JSON.serialize(
            .object([
                Self.marker: .string(Self.kind), "distributionId": .string(target.key),
                "window": .number(String(window)), "due": .number(String(due)),
            ]))
    }

    /// Whether a document is meant as a flush message (valid or not).
    static func isFlush(_ document: JSONNode) -> Bool {
        document[marker] != nil
    }

    /// The flush a document describes, or why it cannot be one.
    static func parse(_ document: JSONNode) -> Result<FlushMessage, InputError> {
        guard document[marker]?.isString(kind) == true else {
            return .failure(InputError("flush message: \"\(marker)\" is not \"\(kind)\""))
        }
        // The member keeps its first name: a flush scheduled before targets could be tenants or roles still parses.
        guard let key = document["distributionId"]?.string, let target = CloudFrontTarget(key: key) else {
            return .failure(InputError("flush message: \"distributionId\" is not a distribution or tenant"))
        }
        guard let window = document["window"]?.scalarText.flatMap({ Int64($0) }), window >= 0 else {
            return .failure(InputError("flush message: \"window\" is not a whole number"))
        }
        guard let due = document["due"]?.scalarText.flatMap({ Int64($0) }), due >= 0 else {
            return .failure(InputError("flush message: \"due\" is not a time in milliseconds"))
        }
        return .success(FlushMessage(target: target, window: window, due: due))
    }
}

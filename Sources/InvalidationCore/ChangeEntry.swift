/// One thing a person asks the command line to invalidate: a URL path, or an object key (with `--keys`, or read
/// from `aws s3 sync` output).
public struct ChangeEntry: Sendable, Equatable {
    public var text: String
    /// True for an object key, which becomes a path by the function's rules; false for a URL path.
    public var isKey: Bool

    public init(text: String, isKey: Bool) {
        self.text = text
        self.isKey = isKey
    }
}

/// One thing a person asks the command line to invalidate: a URL path, an object key (with `--keys`, or read
/// from `aws s3 sync` output), or a cache tag (`--tag`, or a `#tag` line).
public struct ChangeEntry: Sendable, Equatable {
    public var text: String
    /// True for an object key, which becomes a path by the function's rules; false for a URL path.
    public var isKey: Bool
    /// True for a cache tag (`CacheTag`): it is sent as a `#tag` item, never turned into a path.
    public var isTag = false

    public init(text: String, isKey: Bool) {
        self.text = text
        self.isKey = isKey
    }

    /// A cache tag, with or without its item's `#`.
    public static func tag(_ text: String) -> ChangeEntry {
        var entry = ChangeEntry(text: text, isKey: false)
        entry.isTag = true
        return entry
    }
}

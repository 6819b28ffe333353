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

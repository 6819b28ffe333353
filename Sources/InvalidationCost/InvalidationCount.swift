/// What one invalidation bills: each item of its `Paths.Items` is one path, told apart as CloudFront bills them all
/// alike (a wildcard as one, a cache tag item as one).
public struct InvalidationCount: Sendable, Equatable {
    public var id: String
    /// As CloudFront answered it (RFC 3339).
    public var createTime: String
    /// Every item: the billable paths.
    public var paths: Int
    /// Items ending in `*`.
    public var wildcards: Int
    /// Cache tag items (`#html`).
    public var tags: Int

    public init(id: String, createTime: String, paths: Int, wildcards: Int, tags: Int) {
        self.id = id
        self.createTime = createTime
        self.paths = paths
        self.wildcards = wildcards
        self.tags = tags
    }

    /// Counts an invalidation's items.
    public init(id: String, createTime: String, items: [String]) {
        self.init(
            id: id, createTime: createTime, paths: items.count,
            wildcards: items.filter { $0.hasSuffix("*") }.count,
            tags: items.filter { $0.utf8.first == UInt8(ascii: "#") }.count)
    }
}

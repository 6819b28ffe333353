import JSONSupport

/// A distribution (or distribution tenant) that serves (part of) a bucket: keys under `keyPrefix` are served with
/// that prefix removed, as an origin's `OriginPath` does (`/prod` serves key `prod/a.html` as `/a.html`).
public struct DistributionTarget: Sendable, Hashable, Comparable {
    /// Where its invalidations go, and through which role.
    public var target: CloudFrontTarget
    /// Empty for the whole bucket, else ends with `/`.
    public var keyPrefix: String

    public init(_ target: CloudFrontTarget, keyPrefix: String = "") {
        self.target = target
        self.keyPrefix = keyPrefix
    }

    public init(distributionId: String, keyPrefix: String = "") {
        self.init(.distribution(distributionId), keyPrefix: keyPrefix)
    }

    /// A target for an origin with this `OriginPath` (`""`, `/prod`, `/a/b/`).
    public init(_ target: CloudFrontTarget, originPath: String) {
        var prefix = Substring(originPath)
        while prefix.first == "/" { prefix = prefix.dropFirst() }
        while prefix.last == "/" { prefix = prefix.dropLast() }
        self.init(target, keyPrefix: prefix.isEmpty ? "" : prefix + "/")
    }

    public init(distributionId: String, originPath: String) {
        self.init(.distribution(distributionId), originPath: originPath)
    }

    /// The key as this distribution serves it, or nil when the key lies outside the target's prefix.
    public func servedKey(_ key: String) -> Substring? {
        guard !keyPrefix.isEmpty else { return Substring(key) }
        guard key.utf8.starts(with: keyPrefix.utf8) else { return nil }
        let rest = key.utf8.dropFirst(keyPrefix.utf8.count)
        return Substring(rest)
    }

    public static func < (lhs: DistributionTarget, rhs: DistributionTarget) -> Bool {
        (lhs.target.key, lhs.keyPrefix) < (rhs.target.key, rhs.keyPrefix)
    }
}

import Formats

/// How the function confirms that a distribution stores the cache tags the deploy sets, before it invalidates by
/// tag: a tag sent to a distribution that stores none purges nothing, and CloudFront reports success all the same.
public struct CacheTagSettings: Sendable, Equatable {
    /// `CACHE_TAG_HEADER`: the origin response header that carries the deploy's tags. S3 serves an object's
    /// user metadata `cache-tag` as `x-amz-meta-cache-tag`, hence the default. Compared case-insensitively, as HTTP
    /// header names are.
    public var header: String
    /// `CACHE_TAG_CHECK_TTL_SECONDS`: how long a warm container trusts one `GetDistributionConfig` answer (and
    /// stays quiet after warning about it).
    public var ttlSeconds: Int

    public static let defaultHeader = "x-amz-meta-cache-tag"
    public static let defaultTTLSeconds = 300

    public init(header: String = Self.defaultHeader, ttlSeconds: Int = Self.defaultTTLSeconds) {
        self.header = header
        self.ttlSeconds = ttlSeconds
    }

    /// The settings from the environment: defaults when unset.
    static func parse(_ environment: [String: String]) throws(ConfigurationError) -> CacheTagSettings {
        var settings = CacheTagSettings()
        if let header = environment["CACHE_TAG_HEADER"]?.trimmingWhitespace(), !header.isEmpty {
            // An HTTP field name is a token (RFC 9110, 5.1): visible ASCII without separators.
            let separators = Array("\"(),/:;<=>?@[\\]{}".utf8)
            guard header.utf8.allSatisfy({ (33...126).contains($0) && !separators.contains($0) }) else {
                throw ConfigurationError(
                    variable: "CACHE_TAG_HEADER", message: "\(quoted(header)) is not an HTTP header name")
            }
            settings.header = header
        }
        settings.ttlSeconds =
            try Configuration.integer(environment, "CACHE_TAG_CHECK_TTL_SECONDS", in: 0...86_400)
            ?? Self.defaultTTLSeconds
        return settings
    }
}

import JSONSupport

/// What makes an object key unfit to become an invalidation path, whoever hands it over: an event, or a person
/// through `invalidator invalidate --keys`. One place, so the function and the command line refuse the same keys.
public enum KeyRules {
    /// S3's limit on a key's length, in UTF-8 bytes.
    public static let maximumKeyBytes = 1024

    /// Why `key` must not be invalidated, or nil when it may.
    ///
    /// - A key longer than S3 allows is a forged or corrupted event, and its path would pass CloudFront's 4,000
    ///   characters only as a wildcard.
    /// - A key chooses its path, and anyone who can write to the bucket chooses keys: a key must never widen into a
    ///   wildcard, and CloudFront cannot invalidate a raw `*` exactly (`%2A` is a different path to it; see
    ///   "Specifying the objects to invalidate" in the CloudFront developer guide).
    public static func refusal(_ key: String) -> String? {
        let bytes = key.utf8.count
        if bytes > maximumKeyBytes {
            return "key of \(bytes) bytes is longer than S3 allows (1,024): not an object key"
        }
        if key.utf8.contains(UInt8(ascii: "*")) {
            return "key \(JSON.quote(key)) holds *, CloudFront's wildcard: it cannot be invalidated exactly and is "
                + "never sent as a wildcard; invalidate it by hand (invalidator invalidate) if it is cached"
        }
        return nil
    }
}

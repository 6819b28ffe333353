import JSONSupport

/// `DISTRIBUTION_MAP`: which distributions serve which bucket, for accounts too large to list, or for any setup
/// that wants no listing at all.
///
/// A JSON object from `bucket` or `bucket/prefix` to a distribution id or an array of them:
/// `{"site-bucket": "E2QWRUHAPOMQZL", "shared-bucket/docs": ["E1ABC", "E2DEF"]}`. A `bucket/prefix` entry serves
/// only keys under `prefix/`, with the prefix removed, as an origin's OriginPath does.
///
/// An entry that can never match an event is an error, not a silent no-op: the events name buckets as S3 does, so
/// `s3://bucket`, an origin's domain name (`bucket.s3.amazonaws.com`) or a glob in the prefix (`bucket/docs/*`)
/// would let every change of the bucket be acknowledged with nothing invalidated.
public struct DistributionMap: Sendable, Equatable {
    public var targets: [String: [DistributionTarget]]

    public init(json text: String) throws(InputError) {
        let json: JSONValue
        do {
            json = try JSON.parse(text, rejectingDuplicateMembers: true)
        } catch {
            throw InputError("is not valid JSON (\(error))")
        }
        guard case .object(let members) = json, !members.isEmpty else {
            throw InputError("must be a non-empty JSON object from bucket to distribution id(s)")
        }
        var targets: [String: [DistributionTarget]] = [:]
        for (entry, value) in members.sorted(by: { $0.key < $1.key }) {
            let (bucket, prefix) = try Self.entry(entry)
            let ids: [String]
            switch value {
            case .string(let id): ids = [id]
            case .array(let values) where !values.isEmpty && values.allSatisfy({ $0.string != nil }):
                ids = values.compactMap(\.string)
            default:
                throw InputError(
                    "maps \(JSON.quote(entry)) to something that is not a distribution id or an array of them")
            }
            for id in ids where !DistributionId.isValid(id) {
                throw InputError(
                    "maps \(JSON.quote(entry)) to \(JSON.quote(id)), which is not a CloudFront distribution id")
            }
            for id in ids {
                let target = DistributionTarget(distributionId: id, originPath: prefix)
                if !(targets[bucket] ?? []).contains(target) { targets[bucket, default: []].append(target) }
            }
        }
        self.targets = targets.mapValues { $0.sorted() }
    }

    /// Splits an entry into its bucket and key prefix, refusing what no event can match.
    static func entry(_ entry: String) throws(InputError) -> (bucket: String, prefix: String) {
        let quoted = JSON.quote(entry)
        if entry.lowercased().hasPrefix("s3://") || entry.lowercased().hasPrefix("arn:") {
            throw InputError(
                "has an entry \(quoted): entries are bucket names as S3 events carry them (\"site-bucket\" or "
                    + "\"site-bucket/prefix\"), not URLs or ARNs")
        }
        let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let bucket = String(parts[0])
        let prefix = parts.count > 1 ? String(parts[1]) : ""
        if let domainBucket = Self.bucketOfOriginDomain(bucket) {
            throw InputError(
                "has an entry \(quoted), an origin's domain name: name the bucket instead (\(JSON.quote(domainBucket)))"
            )
        }
        guard Self.isBucketName(bucket) else {
            throw InputError(
                "has an entry \(quoted) that does not start with a bucket name (3 to 255 letters, digits, '.', '-' "
                    + "or '_', starting with a letter or digit)")
        }
        if prefix.utf8.contains(UInt8(ascii: "*")) || prefix.utf8.contains(UInt8(ascii: "?")) {
            throw InputError(
                "has an entry \(quoted) with a pattern: a prefix is literal (\"\(bucket)/docs\" serves keys under "
                    + "docs/), so \"*\" and \"?\" would never match a key")
        }
        return (bucket, prefix)
    }

    /// A bucket name as S3 allows it: today's rules (3 to 63 lower-case letters, digits, dots and hyphens), widened to
    /// the legacy names older buckets in us-east-1 may still have (up to 255 characters, upper case, underscores).
    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...255).contains(bytes.count), let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// The bucket when `name` is one of its S3 endpoints (`site.s3.amazonaws.com`, a website endpoint, …).
    static func bucketOfOriginDomain(_ name: String) -> String? {
        let lowered = name.lowercased()
        guard lowered.hasSuffix(".amazonaws.com") || lowered.hasSuffix(".amazonaws.com.cn") else { return nil }
        // A bucket name may hold ".s3" itself: try each place the endpoint could start.
        for range in lowered.ranges(of: ".s3") {
            let bucket = String(lowered[..<range.lowerBound])
            if S3OriginDomain.matches(lowered, bucket: bucket) { return bucket }
        }
        return nil
    }
}

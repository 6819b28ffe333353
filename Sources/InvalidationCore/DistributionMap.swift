import Formats
import JSONSupport

/// `DISTRIBUTION_MAP`: which distributions serve which bucket, for accounts too large to list, or for any setup
/// that wants no listing at all.
///
/// A JSON object from `bucket` or `bucket/prefix` to a target or an array of them:
/// `{"site-bucket": "E2QWRUHAPOMQZL", "shared-bucket/docs": ["E1ABC", "tenant:dt_2wjDZi3hD1"]}`. A target is a
/// distribution id, `tenant:<distribution tenant id>`, or an object naming either (`"id"` or `"tenant"`) with the
/// role to assume in the account that owns it (`"roleArn"`, and `"externalId"` when its trust policy asks for one):
/// `{"id": "E1ABC", "roleArn": "arn:aws:iam::111122223333:role/invalidator", "externalId": "…"}`. A `bucket/prefix`
/// entry serves only keys under `prefix/`, with the prefix removed, as an origin's OriginPath does.
///
/// An entry that can never match an event is an error, not a silent no-op: the events name buckets as S3 does, so
/// `s3://bucket`, an origin's domain name (`bucket.s3.amazonaws.com`) or a glob in the prefix (`bucket/docs/*`)
/// would let every change of the bucket be acknowledged with nothing invalidated.
public struct DistributionMap: Sendable, Equatable {
    public var targets: [String: [DistributionTarget]]
    /// The external id each role is assumed with, for the roles whose entries name one.
    public var externalIds: [String: String] = [:]
    /// The roles named without an external id: naming one with it elsewhere is a contradiction.
    var rolesWithoutExternalId: Set<String> = []

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
        self.targets = [:]
        var targets: [String: [DistributionTarget]] = [:]
        for (entry, value) in members.sorted(by: { $0.key < $1.key }) {
            let (bucket, prefix) = try Self.entry(entry)
            let values: [JSONValue]
            switch value {
            case .array(let list) where !list.isEmpty: values = list
            case .array: throw InputError("maps \(JSON.quote(entry)) to an empty array")
            default: values = [value]
            }
            for value in values {
                let target = DistributionTarget(try target(value, of: entry), originPath: prefix)
                if !(targets[bucket] ?? []).contains(target) { targets[bucket, default: []].append(target) }
            }
        }
        self.targets = targets.mapValues { $0.sorted() }
    }

    /// One target of an entry: `"E1ABC"`, `"tenant:dt_…"` or `{"id" | "tenant", "roleArn", "externalId"}`.
    mutating func target(_ value: JSONValue, of entry: String) throws(InputError) -> CloudFrontTarget {
        let quoted = JSON.quote(entry)
        if let text = value.string {
            guard let resource = CloudFrontTarget.resource(text) else {
                throw InputError(
                    "maps \(quoted) to \(JSON.quote(String(text.prefix(80)))), which is not a CloudFront distribution id "
                        + "(E2QWRUHAPOMQZL) or \"tenant:<distribution tenant id>\"")
            }
            return CloudFrontTarget(resource)
        }
        guard case .object(let members) = value else {
            throw InputError(
                "maps \(quoted) to something that is not a distribution id, \"tenant:<id>\", an object naming one, "
                    + "or an array of them")
        }
        let known = ["id", "tenant", "roleArn", "externalId"]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw InputError(
                "maps \(quoted) to an object with an unknown member \(JSON.quote(unknown)); allowed: "
                    + known.joined(separator: ", "))
        }
        let resource: CloudFrontTarget.Resource
        switch (members["id"]?.string, members["tenant"]?.string) {
        case (let id?, nil) where members["tenant"] == nil && DistributionId.isValid(id): resource = .distribution(id)
        case (nil, let id?) where members["id"] == nil && TenantId.isValid(id): resource = .tenant(id)
        default:
            throw InputError(
                "maps \(quoted) to an object that does not name exactly one target: \"id\" (a distribution id) or "
                    + "\"tenant\" (a distribution tenant id)")
        }
        guard let roleValue = members["roleArn"] else {
            if members["externalId"] != nil {
                throw InputError("maps \(quoted) to an object with an externalId but no roleArn to use it with")
            }
            return CloudFrontTarget(resource)
        }
        guard let roleArn = roleValue.string, CloudFrontTarget.isRoleArn(roleArn) else {
            throw InputError(
                "maps \(quoted) to an object whose roleArn is not an IAM role's ARN "
                    + "(arn:aws:iam::<12-digit account>:role/<name>)")
        }
        try noteExternalId(members["externalId"], roleArn: roleArn, entry: quoted)
        return CloudFrontTarget(resource, roleArn: roleArn)
    }

    /// A role's external id, the same wherever the role is named: one role has one trust policy.
    mutating func noteExternalId(_ value: JSONValue?, roleArn: String, entry quoted: String) throws(InputError) {
        guard let value else {
            if externalIds[roleArn] != nil {
                throw InputError("maps \(quoted) to \(roleArn) without the externalId another entry gives it")
            }
            rolesWithoutExternalId.insert(roleArn)
            return
        }
        if rolesWithoutExternalId.contains(roleArn) {
            throw InputError("maps \(quoted) to \(roleArn) with an externalId another entry does not give it")
        }
        // Never echoed: it is what tells the role's callers apart.
        guard let id = value.string, (2...1224).contains(id.utf8.count) else {
            throw InputError("maps \(quoted) to an object whose externalId is not a string of 2 to 1224 characters")
        }
        if let known = externalIds[roleArn], known != id {
            throw InputError("maps \(quoted) to \(roleArn) with another externalId than an earlier entry gives it")
        }
        externalIds[roleArn] = id
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
        for start in lowered.startIndices(of: ".s3") {
            let bucket = String(lowered[..<start])
            if S3OriginDomain.matches(lowered, bucket: bucket) { return bucket }
        }
        return nil
    }
}

import JSONSupport

/// A distribution that serves (part of) a bucket: keys under `keyPrefix` are served with that prefix removed, as
/// an origin's `OriginPath` does (`/prod` serves key `prod/a.html` as `/a.html`).
public struct DistributionTarget: Sendable, Hashable, Comparable {
    public var distributionId: String
    /// Empty for the whole bucket, else ends with `/`.
    public var keyPrefix: String

    public init(distributionId: String, keyPrefix: String = "") {
        self.distributionId = distributionId
        self.keyPrefix = keyPrefix
    }

    /// A target for an origin with this `OriginPath` (`""`, `/prod`, `/a/b/`).
    public init(distributionId: String, originPath: String) {
        var prefix = Substring(originPath)
        while prefix.first == "/" { prefix = prefix.dropFirst() }
        while prefix.last == "/" { prefix = prefix.dropLast() }
        self.init(distributionId: distributionId, keyPrefix: prefix.isEmpty ? "" : prefix + "/")
    }

    /// The key as this distribution serves it, or nil when the key lies outside the target's prefix.
    public func servedKey(_ key: String) -> Substring? {
        guard !keyPrefix.isEmpty else { return Substring(key) }
        guard key.utf8.starts(with: keyPrefix.utf8) else { return nil }
        let rest = key.utf8.dropFirst(keyPrefix.utf8.count)
        return Substring(rest)
    }

    public static func < (lhs: DistributionTarget, rhs: DistributionTarget) -> Bool {
        (lhs.distributionId, lhs.keyPrefix) < (rhs.distributionId, rhs.keyPrefix)
    }
}

/// Recognises an origin domain as one of a bucket's S3 endpoints.
public enum S3OriginDomain {
    /// Whether `domain` is `bucket`'s REST endpoint in any form (`B.s3.amazonaws.com`, `B.s3.REGION.amazonaws.com`,
    /// `B.s3-REGION.amazonaws.com`, `B.s3.dualstack.REGION.amazonaws.com`, FIPS) or its website endpoint
    /// (`B.s3-website-REGION.amazonaws.com`, `B.s3-website.REGION.amazonaws.com`), in the commercial or China
    /// partition. Domains compare case-insensitively; a trailing dot is ignored.
    public static func matches(_ domain: String, bucket: String) -> Bool {
        var host = domain.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        let prefix = bucket.lowercased() + "."
        guard host.hasPrefix(prefix) else { return false }
        var rest = Substring(host.dropFirst(prefix.count))
        if rest.hasSuffix(".amazonaws.com") {
            rest = rest.dropLast(".amazonaws.com".count)
        } else if rest.hasSuffix(".amazonaws.com.cn") {
            rest = rest.dropLast(".amazonaws.com.cn".count)
        } else {
            return false
        }
        let labels = rest.split(separator: ".", omittingEmptySubsequences: false)
        switch labels.count {
        case 1:
            // s3 | s3-REGION (legacy) | s3-website-REGION | s3-fips-REGION? (not a form AWS uses)
            let label = labels[0]
            if label == "s3" { return true }
            if label.hasPrefix("s3-website-") { return isRegion(label.dropFirst("s3-website-".count)) }
            if label.hasPrefix("s3-") { return isRegion(label.dropFirst(3)) }
            return false
        case 2:
            // s3.REGION | s3-website.REGION | s3-fips.REGION | s3.dualstack? (needs a region)
            return ["s3", "s3-website", "s3-fips"].contains(labels[0]) && isRegion(labels[1])
        case 3:
            // s3.dualstack.REGION | s3-fips.dualstack.REGION
            return ["s3", "s3-fips"].contains(labels[0]) && labels[1] == "dualstack" && isRegion(labels[2])
        default:
            return false
        }
    }

    /// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`…: letters, dashes, ending in a digit.
    static func isRegion(_ text: Substring) -> Bool {
        guard let last = text.last, last.isASCII, last.isNumber, text.contains("-") else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }
}

/// `DISTRIBUTION_MAP`: which distributions serve which bucket, for accounts too large to list, or for any setup
/// that wants no listing at all.
///
/// A JSON object from `bucket` or `bucket/prefix` to a distribution id or an array of them:
/// `{"site-bucket": "E2QWRUHAPOMQZL", "shared-bucket/docs": ["E1ABC", "E2DEF"]}`. A `bucket/prefix` entry serves
/// only keys under `prefix/`, with the prefix removed, as an origin's OriginPath does.
public struct DistributionMap: Sendable, Equatable {
    public var targets: [String: [DistributionTarget]]

    public init(json text: String) throws(PipelineParameterError) {
        let json: JSONValue
        do {
            json = try JSON.parse(text)
        } catch {
            throw PipelineParameterError("is not valid JSON (\(error))")
        }
        guard case .object(let members) = json, !members.isEmpty else {
            throw PipelineParameterError("must be a non-empty JSON object from bucket to distribution id(s)")
        }
        var targets: [String: [DistributionTarget]] = [:]
        for (entry, value) in members {
            let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bucket = parts.first.map(String.init), !bucket.isEmpty, !bucket.contains(" ") else {
                throw PipelineParameterError("has an entry \(JSON.quote(entry)) that does not start with a bucket name")
            }
            let ids: [String]
            switch value {
            case .string(let id): ids = [id]
            case .array(let values) where !values.isEmpty && values.allSatisfy({ $0.string != nil }):
                ids = values.compactMap(\.string)
            default:
                throw PipelineParameterError(
                    "maps \(JSON.quote(entry)) to something that is not a distribution id or an array of them")
            }
            for id in ids where !DistributionId.isValid(id) {
                throw PipelineParameterError(
                    "maps \(JSON.quote(entry)) to \(JSON.quote(id)), which is not a CloudFront distribution id")
            }
            let prefix = parts.count > 1 ? String(parts[1]) : ""
            for id in ids {
                let target = DistributionTarget(distributionId: id, originPath: prefix)
                if !(targets[bucket] ?? []).contains(target) { targets[bucket, default: []].append(target) }
            }
        }
        self.targets = targets.mapValues { $0.sorted() }
    }
}

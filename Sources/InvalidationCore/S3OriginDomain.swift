import JSONSupport

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

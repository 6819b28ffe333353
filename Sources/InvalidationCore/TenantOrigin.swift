import Formats

/// Why a tenant's origin cannot be worked out: the tenant then serves nothing discovery can match, and says why.
public enum TenantOriginProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// `{{name}}` with no value from the tenant and no default from the distribution.
    case missingParameter(String)
    /// A `{{` that does not open a `{{name}}` (no `}}`, or a name outside CloudFront's `[a-zA-Z0-9-_]{1,128}`).
    case malformedPlaceholder(String)

    public var description: String {
        switch self {
        case .missingParameter(let name): "the tenant has no value for {{\(name)}}"
        case .malformedPlaceholder(let text): "\"\(text)\" is not a {{name}} placeholder"
        }
    }
}

/// An origin of a multi-tenant distribution as one distribution tenant sees it: CloudFront's tenant customization
/// replaces each `{{name}}` in the origin's domain name and origin path with the tenant's parameter `name` (CloudFront
/// Developer Guide, "Distribution tenant customizations"), so that one template serves `/{{tenantName}}` of a shared
/// bucket, or a bucket per tenant.
///
/// Substitution is a single pass over the template: a value is inserted as it is, and a `{{` or `/` inside a value is
/// never read as a placeholder or separator of the template. An unresolvable origin is a `TenantOriginProblem`, not a
/// guess: a tenant whose prefix is unknown must not be invalidated for a whole bucket.
public struct TenantOrigin: Sendable, Hashable {
    /// The domain name with the tenant's values in.
    public var domainName: String
    /// The origin path with the tenant's values in (`""` when the origin has none).
    public var originPath: String

    public init(domainName: String, originPath: String) {
        self.domainName = domainName
        self.originPath = originPath
    }

    /// The origin for a tenant with these parameter values (the tenant's own over the distribution's defaults).
    public static func resolve(
        domainName: String, originPath: String, parameters: [String: String]
    ) -> Result<TenantOrigin, TenantOriginProblem> {
        do throws(TenantOriginProblem) {
            return .success(
                TenantOrigin(
                    domainName: try substitute(domainName, parameters: parameters),
                    originPath: try substitute(originPath, parameters: parameters)))
        } catch {
            return .failure(error)
        }
    }

    /// Whether the origin is one of `bucket`'s S3 endpoints (`S3OriginDomain.matches`).
    public func serves(bucket: String) -> Bool { S3OriginDomain.matches(domainName, bucket: bucket) }

    /// The key prefix this origin serves from, as `DistributionTarget(distributionId:originPath:)` derives it: `""`
    /// for the whole bucket, else ending in `/`.
    public var keyPrefix: String { DistributionTarget(distributionId: "", originPath: originPath).keyPrefix }

    /// Whether `template` holds a `{{` at all: an origin without one is the same for every tenant.
    public static func hasPlaceholders(_ template: String) -> Bool { template.containsText("{{") }

    /// `template` with every `{{name}}` replaced by `parameters[name]`, in one left-to-right pass.
    public static func substitute(
        _ template: String, parameters: [String: String]
    ) throws(TenantOriginProblem) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = pair(UInt8(ascii: "{"), in: rest) {
            out += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = pair(UInt8(ascii: "}"), in: afterOpen) else {
                throw .malformedPlaceholder(String(rest[open.lowerBound...].prefix(140)))
            }
            let name = afterOpen[..<close.lowerBound]
            guard isParameterName(name) else {
                throw .malformedPlaceholder(String(rest[open.lowerBound..<close.upperBound].prefix(140)))
            }
            guard let value = parameters[String(name)] else { throw .missingParameter(String(name)) }
            out += value
            rest = afterOpen[close.upperBound...]
        }
        return out + rest
    }

    /// The first two `byte`s in a row in `text` (an ASCII byte, so the range falls on character boundaries).
    static func pair(_ byte: UInt8, in text: Substring) -> Range<Substring.Index>? {
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let next = utf8.index(after: index)
            if utf8[index] == byte, next < utf8.endIndex, utf8[next] == byte { return index..<utf8.index(after: next) }
            index = next
        }
        return nil
    }

    /// botocore's `ParameterName`: 1 to 128 of `a-z A-Z 0-9 - _`.
    static func isParameterName(_ name: Substring) -> Bool {
        (1...128).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
    }
}

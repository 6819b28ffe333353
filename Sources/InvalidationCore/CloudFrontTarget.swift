/// What an invalidation is sent to: a distribution, or one tenant of a multi-tenant distribution (CloudFront's
/// `CreateInvalidationForDistributionTenant`), and whose credentials sign the request: the function's own, or a role
/// assumed in the account that owns the distribution.
///
/// Planning, coalescing and a pipeline job's continuation token carry a target as its `key`, so a flush or a later
/// invocation reaches the same tenant through the same role. The key holds the role's ARN and never its external id:
/// that stays in the configuration (see `RoleSettings`), out of tables, tokens and logs.
public struct CloudFrontTarget: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Resource: Sendable, Hashable {
        case distribution(String)
        case tenant(String)
    }

    public var resource: Resource
    /// The IAM role to assume for this target; nil: the function's own credentials.
    public var roleArn: String?

    public init(_ resource: Resource, roleArn: String? = nil) {
        self.resource = resource
        self.roleArn = roleArn
    }

    public static func distribution(_ id: String, roleArn: String? = nil) -> CloudFrontTarget {
        CloudFrontTarget(.distribution(id), roleArn: roleArn)
    }

    public static func tenant(_ id: String, roleArn: String? = nil) -> CloudFrontTarget {
        CloudFrontTarget(.tenant(id), roleArn: roleArn)
    }

    /// The distribution's id, or nil for a tenant.
    public var distributionId: String? {
        if case .distribution(let id) = resource { return id }
        return nil
    }

    /// The tenant's id, or nil for a distribution.
    public var tenantId: String? {
        if case .tenant(let id) = resource { return id }
        return nil
    }

    /// The resource as `DISTRIBUTION_MAP` writes it: `E2QWRUHAPOMQZL` or `tenant:dt_2wjDZi3hD1`.
    public var resourceKey: String {
        switch resource {
        case .distribution(let id): return id
        case .tenant(let id): return Self.tenantPrefix + id
        }
    }

    /// `resourceKey`, then `|` and the role's ARN when there is one: a character no id and no role ARN holds.
    public var key: String {
        guard let roleArn else { return resourceKey }
        return resourceKey + "|" + roleArn
    }

    public var description: String { key }

    static let tenantPrefix = "tenant:"

    /// Reads a `key` (or a map's resource text): nil for anything that is not one.
    public init?(key: some StringProtocol) {
        let parts = key.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        guard let resource = Self.resource(parts[0]) else { return nil }
        var roleArn: String?
        if parts.count == 2 {
            guard Self.isRoleArn(parts[1]) else { return nil }
            roleArn = String(parts[1])
        }
        self.init(resource, roleArn: roleArn)
    }

    /// `E2QWRUHAPOMQZL` or `tenant:<tenant id>`.
    public static func resource(_ text: some StringProtocol) -> Resource? {
        if text.hasPrefix(tenantPrefix) {
            let id = text.dropFirst(tenantPrefix.count)
            return TenantId.isValid(id) ? .tenant(String(id)) : nil
        }
        return DistributionId.isValid(text) ? .distribution(String(text)) : nil
    }

    /// An IAM role's ARN, `arn:<partition>:iam::<12 digits>:role/<path/><name>`, as STS `AssumeRole` takes it.
    public static func isRoleArn(_ text: some StringProtocol) -> Bool {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, parts[2] == "iam", parts[3].isEmpty,
            parts[4].utf8.count == 12, parts[4].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            parts[5].hasPrefix("role/"), text.utf8.count <= 2048
        else { return false }
        let name = parts[5].dropFirst("role/".count)
        return !name.isEmpty && !name.hasSuffix("/")
            && name.utf8.allSatisfy { byte in
                TenantId.isWordByte(byte) || "+=,.@-/".utf8.contains(byte)
            }
    }

    /// The account a role ARN names (its fifth field), or nil.
    public static func account(ofRoleArn arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 ? String(parts[4]) : nil
    }

    public static func < (lhs: CloudFrontTarget, rhs: CloudFrontTarget) -> Bool {
        lhs.key < rhs.key
    }
}

/// Distribution tenant ids (`dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB`): botocore's model types them as any string; they go
/// into a request path, so only letters, digits, `_` and `-` are accepted, 1 to 128 of them.
public enum TenantId {
    public static func isValid(_ id: some StringProtocol) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: "-") }
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "_")
    }
}

extension CloudFrontTarget: ExpressibleByStringLiteral {
    /// A literal key (`"E2QWRUHAPOMQZL"`, `"tenant:dt_1"`), as tests and fixed tables write targets; a literal that
    /// is not one is a programming error.
    public init(stringLiteral key: String) {
        guard let target = CloudFrontTarget(key: key) else { preconditionFailure("not a target key: \(key)") }
        self = target
    }
}

import InvalidationCore
import JSONSupport

/// How messages and answers name a target, the same in the function's and the command's.
extension CloudFrontTarget {
    /// "distribution" or "tenant".
    public var kindName: String { tenantId == nil ? "distribution" : "tenant" }

    /// `distribution E2QWRUHAPOMQZL` or `tenant dt_2wjDZi3hD1`, with ` (through <role ARN>)` when it has one.
    public var label: String {
        "\(kindName) \(resourceKey)" + (roleArn.map { " (through \($0))" } ?? "")
    }

    /// An answer's members: `distributionId` or `tenantId`, and `roleArn` when reached through one.
    public var members: [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        switch resource {
        case .distribution(let id): members["distributionId"] = .string(id)
        case .tenant(let id): members["tenantId"] = .string(id)
        }
        if let roleArn { members["roleArn"] = .string(roleArn) }
        return members
    }
}

import Formats
import InvalidationCore

/// The roles the function assumes in other accounts, beyond those `DISTRIBUTION_MAP`'s entries name.
public struct RoleSettings: Sendable, Equatable {
    /// `DISCOVERY_ROLE_ARNS`: comma-separated roles in other accounts whose distributions discovery lists too (and
    /// invalidates through the same role).
    public var discoveryRoleArns: [String] = []
    /// `EXTERNAL_ID`: the external id for every role without one of its own in `DISTRIBUTION_MAP`. Never logged.
    public var externalId: String?

    public init(discoveryRoleArns: [String] = [], externalId: String? = nil) {
        self.discoveryRoleArns = discoveryRoleArns
        self.externalId = externalId
    }

    /// The settings from the environment; a role that is not an IAM role's ARN is an error naming it, so a user's
    /// or a policy's ARN fails at start-up rather than at the first batch.
    static func parse(_ environment: [String: String]) throws(ConfigurationError) -> RoleSettings {
        var settings = RoleSettings()
        for item in (environment["DISCOVERY_ROLE_ARNS"] ?? "").split(separator: ",") {
            let arn = item.trimmingWhitespace()
            guard !arn.isEmpty else { continue }
            guard CloudFrontTarget.isRoleArn(arn) else {
                throw ConfigurationError(
                    variable: "DISCOVERY_ROLE_ARNS",
                    message: "\(quoted(arn)) is not an IAM role's ARN (arn:aws:iam::<12-digit account>:role/<name>)")
            }
            if !settings.discoveryRoleArns.contains(arn) { settings.discoveryRoleArns.append(arn) }
        }
        if let id = environment["EXTERNAL_ID"]?.trimmingWhitespace(), !id.isEmpty {
            // Its length only: the value itself is never echoed.
            guard (2...1224).contains(id.utf8.count) else {
                throw ConfigurationError(
                    variable: "EXTERNAL_ID", message: "must be 2 to 1224 characters (got \(id.utf8.count))")
            }
            settings.externalId = id
        }
        return settings
    }

    /// Every role the configuration names, the map's and discovery's, each once, in order.
    public func roleArns(map: DistributionMap?) -> [String] {
        var arns: [String] = []
        for targets in (map?.targets ?? [:]).sorted(by: { $0.key < $1.key }).map(\.value) {
            for target in targets { if let arn = target.target.roleArn, !arns.contains(arn) { arns.append(arn) } }
        }
        for arn in discoveryRoleArns where !arns.contains(arn) { arns.append(arn) }
        return arns
    }
}

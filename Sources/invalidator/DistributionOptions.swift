import ArgumentParser
import Formats
import InvalidationCore

/// `--distribution-id`, `--tenant-id`, `--role-arn` and `--external-id`, as plan, invalidate and status take them:
/// ids repeatable, each value one id or several separated by commas, checked as the function checks
/// `CLOUDFRONT_DISTRIBUTION_ID` and `DISTRIBUTION_MAP`'s tenants and roles.
struct DistributionOptions: ParsableArguments {
    @Option(
        name: .customLong("distribution-id"),
        help: ArgumentHelp(
            "A distribution (repeatable, or comma-separated; default: the function's configuration, "
                + "CLOUDFRONT_DISTRIBUTION_ID, else the SSM parameter CF_DIST_ID_LABEL names).", valueName: "id"))
    var values: [String] = []

    @Option(
        name: .customLong("tenant-id"),
        help: ArgumentHelp(
            "A distribution tenant of a multi-tenant distribution, invalidated through the tenant operations "
                + "(repeatable, or comma-separated).", valueName: "id"))
    var tenantValues: [String] = []

    @Option(
        name: .customLong("role-arn"),
        help: ArgumentHelp(
            "A role to assume (STS AssumeRole) for the distributions and tenants: the account that owns them, when "
                + "it is not the credentials' own.", valueName: "arn"))
    var roleArn: String?

    @Option(
        name: .customLong("external-id"),
        help: ArgumentHelp("The external id the role's trust policy asks for.", valueName: "text"))
    var externalId: String?

    /// The ids given, in order.
    var ids: [String] {
        get throws { try parseIds(values) }
    }

    /// The tenants given, in order, each once.
    var tenantIds: [String] {
        get throws {
            var ids: [String] = []
            for id in tenantValues.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingWhitespace() })
            where !id.isEmpty && !ids.contains(id) {
                guard TenantId.isValid(id) else {
                    throw ValidationError("--tenant-id: \(id) is not a distribution tenant id (like dt_2wjDZi3hD1)")
                }
                ids.append(id)
            }
            return ids
        }
    }

    /// The targets given (distributions, then tenants), each through `--role-arn` when given; empty when none.
    var targets: [CloudFrontTarget] {
        get throws {
            try ids.map { .distribution($0, roleArn: roleArn) } + tenantIds.map { .tenant($0, roleArn: roleArn) }
        }
    }

    func validate() throws {
        _ = try targets
        if let roleArn, !CloudFrontTarget.isRoleArn(roleArn) {
            throw ValidationError("--role-arn must be an IAM role's ARN (arn:aws:iam::<12-digit account>:role/<name>)")
        }
        if let externalId {
            guard roleArn != nil else { throw ValidationError("--external-id needs --role-arn") }
            guard (2...1224).contains(externalId.utf8.count) else {
                throw ValidationError("--external-id must be 2 to 1224 characters")
            }
        }
    }
}

import Formats
import JSONSupport

/// What a pipeline job asks for, from its `UserParameters`.
public struct PipelineRequest: Sendable, Equatable {
    /// With `tenantIds` empty too: the function's configured distribution(s).
    public var distributionIds: [String]
    /// Distribution tenants, from `"tenantIds"`: invalidated through the tenant operations.
    public var tenantIds: [String] = []
    /// `"roleArn"`: the role to assume for the job's distributions and tenants (another account's).
    public var roleArn: String?
    /// `"externalId"`: the external id that role's trust policy asks for.
    public var externalId: String?
    /// Encoded CloudFront paths (default `/*`, or none when `tags` are given without `paths`).
    public var paths: [String]
    /// Cache tag items (`#html`, `CacheTag`), from `"tags": ["html", …]`, without repeats (case-insensitively).
    public var tags: [String] = []
    /// `"forceTags": true`: send `tags` even to a distribution whose `CacheTagConfig` is not confirmed (the job
    /// otherwise fails rather than invalidate nothing), as the command line's `--force-tags`.
    public var forceTags = false
    /// Keep the job open until every invalidation has completed.
    public var wait: Bool
    /// How long the job may wait before it fails (the invalidation itself keeps running).
    public var maxWaitSeconds: Int

    public static let defaultMaxWaitSeconds = 600
    /// The longest wait `maxWaitSeconds` may ask for: a day.
    public static let maximumWaitSeconds = 86_400

    public init(
        distributionIds: [String] = [], paths: [String] = ["/*"], tags: [String] = [], wait: Bool = false,
        maxWaitSeconds: Int = PipelineRequest.defaultMaxWaitSeconds
    ) {
        self.distributionIds = distributionIds
        self.paths = paths
        self.tags = tags
        self.wait = wait
        self.maxWaitSeconds = maxWaitSeconds
    }

    /// The job's own targets (empty: the function's configured ones), each through `roleArn` when given.
    public var targets: [CloudFrontTarget] {
        distributionIds.map { .distribution($0, roleArn: roleArn) } + tenantIds.map { .tenant($0, roleArn: roleArn) }
    }

    /// Parses `UserParameters`: empty, a bare distribution id, or a JSON object with `distributionId`,
    /// `distributionIds` or `tenantIds`, optional `roleArn` and `externalId`, `paths`, `tags`, `forceTags`, `wait`
    /// and `maxWaitSeconds`. Unknown members are errors, so a typo such as `distributionID` fails the job instead of
    /// silently invalidating the wrong thing. `tags` alone invalidates only those tags: `/*` is the default of a job
    /// that names nothing to invalidate, not an addition.
    public init(userParameters: String) throws(InputError) {
        self.init()
        let text = userParameters.trimmingWhitespace()
        if text.isEmpty { return }
        guard text.hasPrefix("{") || text.hasPrefix("[") || text.hasPrefix("\"") else {
            distributionIds = try Self.ids(text.split(separator: ",").map { $0.trimmingWhitespace() })
            return
        }
        let json: JSONValue
        do {
            json = try JSON.parse(text, rejectingDuplicateMembers: true)
        } catch {
            throw InputError("UserParameters is not valid JSON (\(error))")
        }
        guard case .object(let members) = json else {
            throw InputError("UserParameters is not an object: give a distribution id or a JSON object")
        }
        let known = [
            "distributionId", "distributionIds", "tenantIds", "roleArn", "externalId", "paths", "tags", "forceTags",
            "wait", "maxWaitSeconds",
        ]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw InputError(
                "UserParameters has an unknown member \(JSON.quote(unknown)); allowed: \(known.joined(separator: ", "))"
            )
        }
        var ids: [String] = []
        if let single = members["distributionId"] {
            guard let id = single.string else { throw InputError("distributionId must be a string") }
            ids.append(id)
        }
        if let list = members["distributionIds"] {
            guard let values = list.array, !values.isEmpty, values.allSatisfy({ $0.string != nil }) else {
                throw InputError("distributionIds must be a non-empty array of strings")
            }
            ids += values.compactMap(\.string)
        }
        distributionIds = try Self.ids(ids)
        try readTenantsAndRole(members)
        if let list = members["tags"] {
            tags = try Self.tags(list)
            paths = []
        }
        if let list = members["paths"] { paths = try Self.paths(list) }
        if let flag = members["forceTags"] {
            guard case .bool(let value) = flag else { throw InputError("forceTags must be true or false") }
            forceTags = value
        }
        if let flag = members["wait"] {
            guard case .bool(let value) = flag else { throw InputError("wait must be true or false") }
            wait = value
        }
        if let limit = members["maxWaitSeconds"] {
            guard let seconds = limit.wholeNumber, (1...Int64(Self.maximumWaitSeconds)).contains(seconds) else {
                throw InputError("maxWaitSeconds must be a whole number of seconds from 1 to 86400")
            }
            maxWaitSeconds = Int(seconds)
        }
    }

    /// `tenantIds`, `roleArn` and `externalId`: checked here, so a job naming a user's ARN or a malformed tenant id
    /// fails with the member at fault before anything is sent.
    private mutating func readTenantsAndRole(_ members: [String: JSONValue]) throws(InputError) {
        if let list = members["tenantIds"] {
            guard let values = list.array, !values.isEmpty, values.allSatisfy({ $0.string != nil }) else {
                throw InputError("tenantIds must be a non-empty array of strings")
            }
            for id in values.compactMap(\.string) {
                guard TenantId.isValid(id) else {
                    throw InputError(
                        "tenantIds has \(JSON.quote(String(id.prefix(80)))), which is not a distribution tenant id")
                }
                if !tenantIds.contains(id) { tenantIds.append(id) }
            }
        }
        if let value = members["roleArn"] {
            guard let arn = value.string, CloudFrontTarget.isRoleArn(arn) else {
                throw InputError("roleArn must be an IAM role's ARN (arn:aws:iam::<12-digit account>:role/<name>)")
            }
            roleArn = arn
        }
        if let value = members["externalId"] {
            // Never echoed: it is what tells the role's callers apart.
            guard let id = value.string, (2...1224).contains(id.utf8.count) else {
                throw InputError("externalId must be a string of 2 to 1224 characters")
            }
            guard roleArn != nil else { throw InputError("externalId is given without a roleArn to use it with") }
            externalId = id
        }
        if roleArn != nil && distributionIds.isEmpty && tenantIds.isEmpty {
            throw InputError(
                "roleArn is given without distributionId(s) or tenantIds: say which of the role's account's "
                    + "distributions to invalidate")
        }
    }

    private static func paths(_ list: JSONValue) throws(InputError) -> [String] {
        guard let values = list.array, !values.isEmpty, values.allSatisfy({ $0.string != nil }) else {
            throw InputError("paths must be a non-empty array of strings")
        }
        var paths: [String] = []
        for value in values.compactMap(\.string) {
            let path = try CloudFrontPath.normalizeUserPath(value)
            if !paths.contains(path) { paths.append(path) }
        }
        return paths
    }

    /// The tag items of `"tags"`: each a tag with or without its `#`, checked as CloudFront would (`CacheTag`).
    private static func tags(_ list: JSONValue) throws(InputError) -> [String] {
        guard let values = list.array, !values.isEmpty, values.allSatisfy({ $0.string != nil }) else {
            throw InputError("tags must be a non-empty array of strings (cache tags such as \"html\")")
        }
        var items: [String] = []
        for value in values.compactMap(\.string) { items.append(try CacheTag.item(value)) }
        return CacheTag.unique(items)
    }

    private static func ids(_ values: [String]) throws(InputError) -> [String] {
        var ids: [String] = []
        for id in values {
            guard DistributionId.isValid(id) else {
                throw InputError(
                    "\(JSON.quote(String(id.prefix(80)))) is not a CloudFront distribution id (like E2QWRUHAPOMQZL)")
            }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}

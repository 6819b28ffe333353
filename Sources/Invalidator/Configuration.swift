import Formats
import InvalidationCore

/// The function's settings, parsed from a plain environment dictionary (the process environment in `bootstrap`,
/// a literal in tests). Only parsing here; nothing is fetched.
public struct Configuration: Sendable, Equatable {
    public var distributions: DistributionSetting
    public var planner: PlannerSettings
    /// `DISTRIBUTION_MAP`: bucket (or bucket/prefix) to distribution ids. Explicit: wins over discovery.
    public var map: DistributionMap?
    public var discovery: DiscoverySettings
    /// `KEY_PREFIX`: for the configured ids, only keys under it are invalidated, served without it (as an
    /// OriginPath would).
    public var keyPrefix: String
    /// Variables that were set but are overridden by another, to say so once at start-up.
    public var ignoredVariables: [String]
    /// `METRICS_NAMESPACE`: where the per-invocation metrics go.
    public var metricsNamespace = InvocationMetrics.defaultNamespace
    /// `COALESCE_TABLE` and its companions; nil: each invocation plans and submits its own changes.
    public var coalescing: CoalesceSettings?
    /// `CACHE_TAG_HEADER` and `CACHE_TAG_CHECK_TTL_SECONDS`: how a distribution's `CacheTagConfig` is confirmed
    /// before tags are sent to it.
    public var cacheTags = CacheTagSettings()
    /// `DISCOVERY_ROLE_ARNS` and `EXTERNAL_ID`: the roles in other accounts beyond the map's.
    public var roles = RoleSettings()
    /// `MONTHLY_PATH_BUDGET`: billable paths a month before the planner collapses harder; nil: no budget.
    public var monthlyPathBudget: MonthlyPathBudget?

    public init(environment: [String: String]) throws(ConfigurationError) {
        ignoredVariables = []
        let ids = environment["CLOUDFRONT_DISTRIBUTION_ID"]?.trimmingWhitespace() ?? ""
        let label = environment["CF_DIST_ID_LABEL"]?.trimmingWhitespace() ?? ""
        if !ids.isEmpty {
            distributions = .ids(try Self.parseDistributionIds(ids, source: "CLOUDFRONT_DISTRIBUTION_ID"))
            if !label.isEmpty { ignoredVariables.append("CF_DIST_ID_LABEL") }
        } else if !label.isEmpty {
            guard !label.contains(where: { $0 == " " || $0.isNewline }) else {
                throw ConfigurationError(
                    variable: "CF_DIST_ID_LABEL", message: "\(quoted(label)) is not an SSM parameter name")
            }
            distributions = .parameter(name: label)
        } else {
            distributions = .none
        }
        var planner = PlannerSettings()
        if let index = environment["INDEX_DOCUMENT"] {
            let value = index.trimmingWhitespace()
            guard !value.contains("/") else {
                throw ConfigurationError(
                    variable: "INDEX_DOCUMENT", message: "\(quoted(value)) must be a file name such as index.html")
            }
            planner.indexDocument = value.isEmpty ? nil : value
        }
        var budget = PathBudget()
        budget.maximumPaths = try Self.integer(environment, "MAX_PATHS", in: 1...3000) ?? budget.maximumPaths
        budget.maximumWildcards = try Self.integer(environment, "MAX_WILDCARDS", in: 0...15) ?? budget.maximumWildcards
        planner.budget = budget
        planner.forms = URLForms(
            directoryWithoutSlash: try Self.flag(environment, "INVALIDATE_DIRECTORY_WITHOUT_SLASH") ?? false,
            prettyURLs: try Self.flag(environment, "PRETTY_URLS") ?? false,
            queryVariants: try Self.flag(environment, "QUERY_STRING_VARIANTS") ?? false)
        planner.filter = KeyFilter(
            include: KeyFilter.patterns(environment["INCLUDE"] ?? ""),
            exclude: KeyFilter.patterns(environment["EXCLUDE"] ?? ""))
        planner.tagRules = try Self.tagRules(environment)
        self.planner = planner
        let prefix = (environment["KEY_PREFIX"] ?? "").trimmingWhitespace()
        guard !prefix.contains("*") else {
            throw ConfigurationError(variable: "KEY_PREFIX", message: "\(quoted(prefix)) must be a plain key prefix")
        }
        keyPrefix = prefix
        if let namespace = environment["METRICS_NAMESPACE"]?.trimmingWhitespace(), !namespace.isEmpty {
            if let problem = InvocationMetrics.namespaceProblem(namespace) {
                throw ConfigurationError(variable: "METRICS_NAMESPACE", message: "\(quoted(namespace)) \(problem)")
            }
            metricsNamespace = namespace
        }
        if let text = environment["DISTRIBUTION_MAP"]?.trimmingWhitespace(), !text.isEmpty {
            map = try Self.parseMap(text, variable: "DISTRIBUTION_MAP")
        }
        coalescing = try CoalesceSettings.parse(environment)
        monthlyPathBudget = try Self.integer(environment, "MONTHLY_PATH_BUDGET", in: 1...1_000_000_000)
            .map(MonthlyPathBudget.init(limit:))
        cacheTags = try CacheTagSettings.parse(environment)
        roles = try RoleSettings.parse(environment)
        discovery = try DiscoverySettings.parse(environment)
        discovery.roleArns = roles.discoveryRoleArns
    }

    /// `TAG_RULES`, empty when unset; a bad entry names the variable and the entry.
    static func tagRules(_ environment: [String: String]) throws(ConfigurationError) -> TagRules {
        guard let text = environment["TAG_RULES"]?.trimmingWhitespace(), !text.isEmpty else { return TagRules() }
        do {
            return try TagRules(parsing: text)
        } catch {
            throw ConfigurationError(variable: "TAG_RULES", message: error.message)
        }
    }

    static func integer(
        _ environment: [String: String], _ variable: String, in range: ClosedRange<Int>
    ) throws(ConfigurationError) -> Int? {
        guard let text = environment[variable]?.trimmingWhitespace(), !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                variable: variable,
                message: "\(quoted(text)) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    static func flag(_ environment: [String: String], _ variable: String) throws(ConfigurationError) -> Bool? {
        guard let text = environment[variable]?.trimmingWhitespace(), !text.isEmpty else { return nil }
        switch text.lowercased() {
        case "true", "on", "1", "yes": return true
        case "false", "off", "0", "no": return false
        default: throw ConfigurationError(variable: variable, message: "\(quoted(text)) is not true or false")
        }
    }

    /// Parses a `DISTRIBUTION_MAP` JSON object, naming where it came from on error.
    public static func parseMap(_ text: String, variable: String) throws(ConfigurationError) -> DistributionMap {
        do {
            return try DistributionMap(json: text)
        } catch {
            throw ConfigurationError(variable: variable, message: "the distribution map \(error.message)")
        }
    }

    /// Parses `E1ABC,E2DEF` (spaces and newlines around ids allowed, as an SSM StringList holds them).
    public static func parseDistributionIds(_ text: String, source: String) throws(ConfigurationError) -> [String] {
        var ids: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let id = part.trimmingWhitespace()
            guard DistributionId.isValid(id) else {
                let shown = id.isEmpty ? "an empty entry" : quoted(id)
                throw ConfigurationError(
                    variable: source,
                    message: "\(shown) is not a CloudFront distribution id (upper-case letters and digits, like "
                        + "E2QWRUHAPOMQZL; several ids are separated by commas)")
            }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}

func quoted(_ text: String) -> String {
    "\"" + String(text.prefix(80)) + (text.count > 80 ? "…" : "") + "\""
}

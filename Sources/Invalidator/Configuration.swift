import InvalidationCore

/// A setting that cannot work; names the variable at fault and says what would.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    public var message: String

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "\(variable): \(message)" }
}

/// Where the distribution ids come from.
public enum DistributionSetting: Sendable, Equatable {
    /// Nothing configured: a state the handler reasons about (records are acknowledged, not retried), not a crash.
    case none
    /// `CLOUDFRONT_DISTRIBUTION_ID`: one id or several separated by commas.
    case ids([String])
    /// `CF_DIST_ID_LABEL`: the name of an SSM parameter holding the id(s), read once per warm container.
    case parameter(name: String)
}

/// The function's settings, parsed from a plain environment dictionary (the process environment in `bootstrap`,
/// a literal in tests). Only parsing here; nothing is fetched.
public struct Configuration: Sendable, Equatable {
    public var distributions: DistributionSetting
    public var planner: PlannerSettings
    /// Variables that were set but are overridden by another, to say so once at start-up.
    public var ignoredVariables: [String]

    public init(environment: [String: String]) throws(ConfigurationError) {
        ignoredVariables = []
        let ids = environment["CLOUDFRONT_DISTRIBUTION_ID"].map(trimmed) ?? ""
        let label = environment["CF_DIST_ID_LABEL"].map(trimmed) ?? ""
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
            let value = trimmed(index)
            guard !value.contains("/") else {
                throw ConfigurationError(
                    variable: "INDEX_DOCUMENT", message: "\(quoted(value)) must be a file name such as index.html")
            }
            planner.indexDocument = value.isEmpty ? nil : value
        }
        self.planner = planner
    }

    /// Parses `E1ABC,E2DEF` (spaces and newlines around ids allowed, as an SSM StringList holds them).
    public static func parseDistributionIds(_ text: String, source: String) throws(ConfigurationError) -> [String] {
        var ids: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let id = trimmed(String(part))
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

func trimmed(_ text: String) -> String {
    var slice = Substring(text)
    while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
    while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
    return String(slice)
}

func quoted(_ text: String) -> String {
    "\"" + String(text.prefix(80)) + (text.count > 80 ? "…" : "") + "\""
}

import Formats
import InvalidationCore

/// How the function finds the distributions of a bucket that nothing explicit names.
public struct DiscoverySettings: Sendable, Equatable {
    public enum Mode: String, Sendable {
        /// Discover when no distribution is configured at all (no id, no map).
        case auto
        /// Also discover buckets the distribution map does not name.
        case on
        /// Never list distributions.
        case off
    }

    public var mode: Mode = .auto
    /// How long a warm container trusts one listing (`DISCOVERY_TTL_SECONDS`).
    public var ttlSeconds = 300
    /// Whether disabled distributions are invalidated too (`DISCOVERY_INCLUDE_DISABLED`).
    public var includeDisabled = false
    /// `DISCOVERY_ROLE_ARNS`: the other accounts listed, each through its role (`RoleSettings`).
    public var roleArns: [String] = []

    public init() {}

    /// `DISTRIBUTION_DISCOVERY`, `DISCOVERY_TTL_SECONDS` and `DISCOVERY_INCLUDE_DISABLED`; defaults when unset.
    static func parse(_ environment: [String: String]) throws(ConfigurationError) -> DiscoverySettings {
        var settings = DiscoverySettings()
        switch environment["DISTRIBUTION_DISCOVERY"]?.trimmingWhitespace().lowercased() ?? "" {
        case "", "auto": settings.mode = .auto
        case "on", "true", "1": settings.mode = .on
        case "off", "false", "0": settings.mode = .off
        case let other:
            throw ConfigurationError(
                variable: "DISTRIBUTION_DISCOVERY", message: "\(quoted(other)) is not auto, on or off")
        }
        if let text = environment["DISCOVERY_TTL_SECONDS"]?.trimmingWhitespace(), !text.isEmpty {
            guard let seconds = Int(text), (0...86_400).contains(seconds) else {
                throw ConfigurationError(
                    variable: "DISCOVERY_TTL_SECONDS", message: "\(quoted(text)) is not a number of seconds (0-86400)")
            }
            settings.ttlSeconds = seconds
        }
        if let text = environment["DISCOVERY_INCLUDE_DISABLED"]?.trimmingWhitespace(), !text.isEmpty {
            switch text.lowercased() {
            case "true", "on", "1": settings.includeDisabled = true
            case "false", "off", "0": settings.includeDisabled = false
            default:
                throw ConfigurationError(
                    variable: "DISCOVERY_INCLUDE_DISABLED", message: "\(quoted(text)) is not true or false")
            }
        }
        return settings
    }
}

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
}

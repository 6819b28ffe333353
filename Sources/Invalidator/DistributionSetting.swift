import Formats
import InvalidationCore

/// Where the distribution ids come from.
public enum DistributionSetting: Sendable, Equatable {
    /// Nothing configured: a state the handler reasons about (records are acknowledged, not retried), not a crash.
    case none
    /// `CLOUDFRONT_DISTRIBUTION_ID`: one id or several separated by commas.
    case ids([String])
    /// `CF_DIST_ID_LABEL`: the name of an SSM parameter holding the id(s), read once per warm container.
    case parameter(name: String)
}

/// How many paths an invalidation may cost: CloudFront bills each path beyond 1,000 a month (a wildcard counts as
/// one) and allows 15 wildcard paths in progress per distribution.
public struct PathBudget: Sendable, Equatable {
    /// `MAX_PATHS`: above this many exact paths a change is a deploy, and directories become wildcards.
    public var maximumPaths: Int
    /// `MAX_WILDCARDS`: wildcard paths one plan may use (headroom under CloudFront's 15 in progress).
    public var maximumWildcards: Int

    public init(maximumPaths: Int = 100, maximumWildcards: Int = 10) {
        self.maximumPaths = maximumPaths
        self.maximumWildcards = maximumWildcards
    }
}

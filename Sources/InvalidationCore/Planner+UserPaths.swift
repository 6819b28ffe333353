import Crypto

extension Planner {
    /// The paths for what a person gave (`invalidator invalidate`), by the function's rules: a key is refused as an
    /// event's would be (`KeyRules`), filtered by `INCLUDE` / `EXCLUDE`, served under `keyPrefix` and encoded as S3
    /// keys are; a path is normalised (`CloudFrontPath.normalizeUserPath`).
    /// - Returns: the paths, and for each entry left out a line saying why.
    /// - Throws: for a path CloudFront would refuse (a person's mistake, not data to skip).
    public static func userPaths(
        _ entries: [ChangeEntry], keyPrefix: String, settings: PlannerSettings
    ) throws(InputError) -> (paths: [String], skipped: [String]) {
        var paths: [String] = []
        var skipped: [String] = []
        let target = DistributionTarget(distributionId: "", keyPrefix: keyPrefix)
        for entry in entries {
            guard entry.isKey else {
                paths.append(try CloudFrontPath.normalizeUserPath(entry.text))
                continue
            }
            if let refusal = KeyRules.refusal(entry.text) {
                skipped.append("\(entry.text): \(refusal)")
            } else if !settings.filter.isEmpty && !settings.filter.keeps(entry.text) {
                skipped.append("\(entry.text): excluded by INCLUDE / EXCLUDE")
            } else if let key = target.servedKey(entry.text) {
                paths += CloudFrontPath.paths(
                    forKey: String(key), indexDocument: settings.indexDocument, forms: settings.forms)
            } else {
                skipped.append("\(entry.text): outside KEY_PREFIX \(keyPrefix)")
            }
        }
        return (paths, skipped)
    }

    /// The requests for paths a person gave: the set collapsed to the budget as the function's are, split where
    /// CloudFront's per-request limits force it.
    ///
    /// - Parameter run: what makes this run this run (a commit, a CI run id): it goes into the CallerReference with
    ///   the paths, so that retrying the same run is idempotent and the next deploy with the same paths is not
    ///   mistaken for it.
    public static func requests(
        userPaths: [String], distributionIds: [String], run: String, settings: PlannerSettings = PlannerSettings()
    ) -> [PlannedInvalidation] {
        let exact = Array(Set(userPaths)).sorted()
        guard !exact.isEmpty else { return [] }
        let paths = settings.budget.map { PathCollapser.collapse(exact, budget: $0) } ?? exact
        return requests(
            chunks: split(paths, settings: settings), distributionIds: distributionIds,
            identityDigest: SHA256.hash(lines: ["command line", run] + exact), label: "command line",
            changes: exact.count)
    }
}

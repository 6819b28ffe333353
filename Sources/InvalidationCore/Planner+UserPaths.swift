import Digests

extension Planner {
    /// The paths for what a person gave (`invalidator invalidate`), by the function's rules: a key is refused as an
    /// event's would be (`KeyRules`), filtered by `INCLUDE` / `EXCLUDE`, served under `keyPrefix` and encoded as S3
    /// keys are; a path is normalised (`CloudFrontPath.normalizeUserPath`); a tag, or a path entry starting with
    /// `#`, becomes its `#tag` item (`CacheTag.item`), untouched by the key rules, the filter and the prefix, which
    /// are about keys (a key may start with `#`: with `--keys` such a line stays a key).
    /// - Returns: the paths and tag items, and for each entry left out a line saying why.
    /// - Throws: for a path or tag CloudFront would refuse (a person's mistake, not data to skip).
    public static func userPaths(
        _ entries: [ChangeEntry], keyPrefix: String, settings: PlannerSettings
    ) throws(InputError) -> (paths: [String], skipped: [String]) {
        var paths: [String] = []
        var skipped: [String] = []
        let target = DistributionTarget(distributionId: "", keyPrefix: keyPrefix)
        for entry in entries {
            // A path starts with `/`, so a `#` entry that is not a key can only be a tag (as CloudFront reads it).
            if entry.isTag || (!entry.isKey && CacheTag.isItem(entry.text)) {
                paths.append(try CacheTag.item(entry.text))
                continue
            }
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
    /// Tag items (`#html`) go beside the paths: repeats are dropped case-insensitively (CloudFront's matching; the
    /// first spelling is kept), they are never collapsed (a tag names exactly what a person chose, and has no
    /// directory to widen into), and each is billable and counts as a file path in the split (`CacheTag`). The budget
    /// bounds the paths only: the tags are what was asked for, each already one item.
    ///
    /// - Parameter run: what makes this run this run (a commit, a CI run id): it goes into the CallerReference with
    ///   the paths, so that retrying the same run is idempotent and the next deploy with the same paths is not
    ///   mistaken for it.
    public static func requests(
        userPaths: [String], targets: [CloudFrontTarget], run: String, settings: PlannerSettings = PlannerSettings()
    ) -> [PlannedInvalidation] {
        let (tags, exactPaths) = separated(userPaths)
        let exact = tags + exactPaths
        guard !exact.isEmpty else { return [] }
        let paths = settings.budget.map { PathCollapser.collapse(exactPaths, budget: $0) } ?? exactPaths
        return requests(
            chunks: split(tags + paths, settings: settings), targets: targets,
            identityDigest: SHA256Hasher.hash(lines: ["command line", run] + exact), label: "command line",
            changes: exact.count)
    }

    /// Tag items and paths apart: the tags de-duplicated case-insensitively (first spelling kept) then sorted, the
    /// paths de-duplicated and sorted. Tags sort before paths (`#` before `/`), so a request lists them first.
    static func separated(_ items: [String]) -> (tags: [String], paths: [String]) {
        let tags = CacheTag.unique(items.filter(CacheTag.isItem)).sorted()
        let paths = Array(Set(items.filter { !CacheTag.isItem($0) })).sorted()
        return (tags, paths)
    }
}

import Digests
import Formats

extension Planner {
    /// The requests for a coalescing window: every path recorded for one distribution over a whole deploy, planned
    /// as one batch would be (collapsed to the budget, split only where CloudFront's per-request limits force it).
    ///
    /// - Parameter identity: what names the window's content (its recorded items): the CallerReference derives from
    ///   it, the window and the paths, so that a redelivered flush of the same window replays the same request and
    ///   CloudFront creates it once. `cfwin-<window>-<part>-` starts it, so that a person (and the chaos tests)
    ///   can tell which window an invalidation flushed.
    ///
    /// - Parameter paths: the recorded lines: exact paths, each perhaps with the tags of the changes that need it
    ///   (`TagCover.lines`, with `TAG_RULES`); the tags are used only when `tagging` (the distribution's
    ///   `CacheTagConfig` was confirmed at flush time), and never sent as part of a path.
    public static func requests(
        window: Int64, paths: [String], target: CloudFrontTarget, identity: [String], changes: Int,
        settings: PlannerSettings = PlannerSettings(), tagging: Bool = false
    ) -> [PlannedInvalidation] {
        let needs = TagCover.needs(lines: paths)
        let exact = needs.map(\.path)
        guard !exact.isEmpty else { return [] }
        let planned: [String]
        if let budget = settings.budget {
            planned =
                tagging && exact.count > budget.maximumPaths
                ? TagCover.plan(needs, budget: budget) : PathCollapser.collapse(exact, budget: budget)
        } else {
            planned = exact
        }
        let chunks = split(planned, settings: settings)
        let identityDigest = SHA256Hasher.hash(lines: ["coalesced window", target.key, String(window)] + identity)
        return chunks.enumerated().map { index, chunk in
            let reference = callerReference(
                identityDigest: identityDigest, target: target, paths: chunk, chunk: index,
                of: chunks.count)
            return PlannedInvalidation(
                target: target,
                callerReference: "cfwin-\(window)-\(index)-" + reference.dropFirst("cfinv-".count).prefix(32),
                paths: chunk, messageIds: [], unitLabels: ["window \(window)"], changes: changes)
        }
    }
}

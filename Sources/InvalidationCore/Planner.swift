import Digests
import Formats
import JSONSupport

/// Turns the changes of one invocation into one request per distribution (more only where CloudFront's limits
/// force a split).
public enum Planner {
    /// - Parameter distributions: the distributions serving a bucket; an empty answer leaves that bucket's records
    ///   unserved, with a note each.
    public static func plan(
        _ event: DecodedEvent, settings: PlannerSettings = PlannerSettings(),
        distributions: (_ bucket: String) -> [String]
    ) -> InvalidationPlan {
        plan(
            event, settings: settings,
            targets: { bucket in distributions(bucket).map { DistributionTarget(distributionId: $0) } })
    }

    /// Groups the changes by distribution, then makes each distribution's requests.
    ///
    /// - Parameter targets: the distributions serving a bucket and the key prefix each serves (from OriginPath or
    ///   `DISTRIBUTION_MAP`); an empty answer leaves that bucket's records unserved, with one note per bucket. A
    ///   key outside a target's prefix is not sent to that distribution.
    /// - Parameter tagging: the targets whose `CacheTagConfig` was confirmed: only their changes may be covered by
    ///   `TAG_RULES`' tags (`TagCover`); every other target's are paths.
    public static func plan(
        _ event: DecodedEvent, settings: PlannerSettings = PlannerSettings(), tagging: Set<CloudFrontTarget> = [],
        targets resolve: (_ bucket: String) -> [DistributionTarget]
    ) -> InvalidationPlan {
        var grouping = Grouping(expectedChanges: event.units.reduce(0) { $0 + $1.changes.count })
        for (unitIndex, unit) in event.units.enumerated() {
            for change in unit.changes {
                grouping.add(change, of: unit, at: unitIndex, settings: settings, resolve: resolve)
            }
        }
        var invalidations: [PlannedInvalidation] = []
        for share in grouping.shares.sorted(by: { $0.id < $1.id }) where !share.units.isEmpty {
            invalidations += requests(
                for: share, units: event.units, settings: settings, tagging: tagging.contains(share.id))
        }
        var plan = InvalidationPlan(
            invalidations: invalidations, notes: grouping.notes, excludedChanges: grouping.excluded)
        plan.coveredChanges = grouping.covered
        return plan
    }

    /// One distribution's requests: its paths collapsed to the budget, split where CloudFront's per-request limits
    /// force it, each part naming the units whose changes it covers.
    static func requests(
        for share: Share, units: [DeliveryUnit], settings: PlannerSettings, tagging: Bool = false
    ) -> [PlannedInvalidation] {
        let identities = sortedUnique(share.identities)
        let identityDigest = SHA256Hasher.hash(lines: identities)
        let paths = cover(share, settings: settings, tagging: tagging)
        let chunks = split(paths, settings: settings)
        return chunks.enumerated().map { chunkIndex, chunk in
            let covered = chunks.count == 1 ? share.units.map { units[$0] } : unitsCovered(by: chunk, in: share, units)
            var planned = PlannedInvalidation(
                target: share.id,
                callerReference: callerReference(
                    identityDigest: identityDigest, target: share.id, paths: chunk, chunk: chunkIndex,
                    of: chunks.count),
                paths: chunk, messageIds: covered.compactMap(\.messageId), unitLabels: covered.map(\.label),
                changes: identities.count)
            if settings.budget == nil, !share.carriers.isEmpty {
                planned.recordLines = TagCover.lines(
                    chunk.map { TagCover.Need(path: $0, carriers: share.carriers[share.pathNumbers[$0]!]) })
            }
            return planned
        }
    }

    /// One distribution's items: its exact paths without a budget; with one, collapsed to it, or covered with tags
    /// too when `tagging` (a confirmed `CacheTagConfig`) and `TAG_RULES` allow.
    static func cover(_ share: Share, settings: PlannerSettings, tagging: Bool) -> [String] {
        let exact = share.paths.sorted()
        guard let budget = settings.budget else { return exact }
        guard tagging, !share.carriers.isEmpty, exact.count > budget.maximumPaths else {
            return PathCollapser.collapse(exact, budget: budget)
        }
        let needs = exact.map { TagCover.Need(path: $0, carriers: share.carriers[share.pathNumbers[$0]!]) }
        return TagCover.plan(needs, budget: budget)
    }

    /// The units whose paths one part of a split request covers: exact paths by lookup, wildcards by prefix.
    static func unitsCovered(by chunk: [String], in share: Share, _ units: [DeliveryUnit]) -> [DeliveryUnit] {
        let exactPaths = Set(chunk.filter { !CloudFrontPath.isWildcard($0) })
        let prefixes = chunk.filter(CloudFrontPath.isWildcard).map { String($0.utf8.dropLast())! }
        let inChunk = share.paths.map { path in
            exactPaths.contains(path) || prefixes.contains(where: { CloudFrontPath.hasPrefix(path, $0) })
        }
        var seen = Set<Int>()
        var indexes: [Int] = []
        for (path, unit) in share.pathUnits where inChunk[path] && seen.insert(unit).inserted {
            indexes.append(unit)
        }
        return indexes.sorted().map { units[$0] }
    }

    /// The requests for a CodePipeline job: the job's paths and tag items on each distribution, tags first and
    /// without repeats (case-insensitively), each counted as a file path in the split. The CallerReference derives
    /// from the job id, so Lambda's retries of the same job never create a second invalidation.
    public static func requests(
        forJob job: PipelineJob, targets: [CloudFrontTarget], paths: [String], tags: [String] = [],
        settings: PlannerSettings = PlannerSettings()
    ) -> [PlannedInvalidation] {
        let (tagItems, pathItems) = separated(tags + paths)
        return requests(
            chunks: split(tagItems + pathItems, settings: settings), targets: targets,
            identityDigest: SHA256Hasher.hash(lines: ["codepipeline", job.id]), label: "job \(job.id)", changes: 0)
    }

    /// The same chunks on each target, each request with its own CallerReference.
    static func requests(
        chunks: [[String]], targets: [CloudFrontTarget], identityDigest: [UInt8], label: String, changes: Int
    ) -> [PlannedInvalidation] {
        var invalidations: [PlannedInvalidation] = []
        for target in targets {
            for (chunkIndex, chunk) in chunks.enumerated() {
                invalidations.append(
                    PlannedInvalidation(
                        target: target,
                        callerReference: callerReference(
                            identityDigest: identityDigest, target: target, paths: chunk, chunk: chunkIndex,
                            of: chunks.count),
                        paths: chunk, messageIds: [], unitLabels: [label], changes: changes))
            }
        }
        return invalidations
    }

    /// Splits sorted paths so that no request exceeds CloudFront's file-path or wildcard limits.
    static func split(_ paths: [String], settings: PlannerSettings) -> [[String]] {
        var chunks: [[String]] = []
        var current: [String] = []
        var files = 0
        var wildcards = 0
        for path in paths {
            let isWildcard = CloudFrontPath.isWildcard(path)
            if (isWildcard && wildcards == settings.maximumWildcardsPerRequest)
                || (!isWildcard && files == settings.maximumPathsPerRequest)
            {
                chunks.append(current)
                current = []
                files = 0
                wildcards = 0
            }
            current.append(path)
            if isWildcard { wildcards += 1 } else { files += 1 }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// `Array(Set(strings)).sorted()`, without hashing: a stable sort, then the first of each run of equal strings
    /// (the one a set would have kept).
    static func sortedUnique(_ strings: [String]) -> [String] {
        let sorted = strings.sorted()
        var unique: [String] = []
        unique.reserveCapacity(sorted.count)
        for string in sorted where unique.last != string { unique.append(string) }
        return unique
    }

    /// `cfinv-` and 40 hex digits of SHA-256 over the changes' identities, the target (a distribution's key is
    /// its id, as before targets could be tenants or roles), the paths and the chunk position. Never a clock:
    /// timestamps collide and break idempotent retries (a clock-based reference is what makes other tools
    /// invalidate a retried batch twice).
    static func callerReference(
        identityDigest: [UInt8], target: CloudFrontTarget, paths: [String], chunk: Int, of count: Int
    ) -> String {
        var hasher = SHA256Hasher()
        hasher.update(identityDigest)
        hasher.update(utf8: "\n\(target.key)\n\(chunk)/\(count)\n")
        hasher.update(lines: paths)
        return "cfinv-" + Hex.string(hasher.finalize().prefix(20))
    }
}

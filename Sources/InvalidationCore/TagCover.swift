/// How the planner covers changes with cache tags as well as paths and directory wildcards, once a distribution's
/// changes exceed `MAX_PATHS` and its `CacheTagConfig` was confirmed.
///
/// The candidates are every subset of the (at most `maximumCandidates`) tags that the changed objects carry. For
/// each, the paths of the changes its tags cover leave the path set, and what is left is collapsed by
/// `PathCollapser` within the budget less the tags (a tag counts against `MAX_PATHS` as the path it bills as). The
/// plan kept is the first by:
///
/// 1. not `/*` (it purges everything);
/// 2. the fewest directory wildcards: the over-invalidation the planner can measure. A wildcard purges every
///    object of its folder, of every kind, changed or not; a tag purges only the objects the deploy declared alike
///    (`*.html=html`: pages), and an exact path nothing else. The planner does not know the unchanged objects, so
///    it cannot count them; it counts what purges blindly;
/// 3. the fewest billable items (every plan is within the budget already);
/// 4. the fewest tags (an exact path purges nothing unchanged, a tag may: a tag that saves no wildcard and no item
///    is not used);
/// 5. the tags' names, so that the same changes always give the same plan.
///
/// Deleted objects are covered by their paths (their tag is gone with them, and the cached copy may predate the
/// rules), and so is every object no rule tags: such a path is pinned.
public enum TagCover {
    /// One exact path and what the changes that need it carry.
    public struct Need: Sendable, Equatable {
        public var path: String
        /// For each change that needs the path, the tag items of its object; an empty entry (a deleted object, or
        /// one no rule tags) pins the path: only the path itself covers that change.
        public var carriers: [[String]]

        public init(path: String, carriers: [[String]]) {
            self.path = path
            self.carriers = carriers
        }
    }

    /// The most tags tried together: 2^6 plans at most, each a collapse of the remaining paths.
    public static let maximumCandidates = 6

    /// The cheapest cover of `needs` (sorted by path, unique) within the budget: tag items first, then paths.
    public static func plan(_ needs: [Need], budget: PathBudget) -> [String] {
        let paths = needs.map(\.path)
        guard paths.count > budget.maximumPaths else { return paths }
        let candidates = candidates(needs)
        // Each change's tags as a bit mask over the candidates, once: a subset covers a path when every change
        // needing it has a bit in the subset's mask (a pinned change has none).
        let index = Dictionary(uniqueKeysWithValues: candidates.enumerated().map { (CacheTag.matchKey($1), $0) })
        let masks = needs.map { need in
            need.carriers.map {
                $0.reduce(0) { mask, item in mask | (index[CacheTag.matchKey(item)].map { 1 << $0 } ?? 0) }
            }
        }
        var best: (rank: [Int], tags: String, plan: [String])?
        for mask in 0..<(1 << candidates.count) {
            let chosen = candidates.indices.filter { mask & (1 << $0) != 0 }.map { candidates[$0] }.sorted()
            guard chosen.count < budget.maximumPaths else { continue }
            let rest =
                mask == 0
                ? paths
                : needs.indices.filter { masks[$0].isEmpty || masks[$0].contains { $0 & mask == 0 } }.map {
                    needs[$0].path
                }
            var restBudget = budget
            restBudget.maximumPaths -= chosen.count
            let plan = chosen + (rest.isEmpty ? [] : PathCollapser.collapse(rest, budget: restBudget))
            let wildcards = plan.filter(CloudFrontPath.isWildcard)
            let rank = [wildcards.contains("/*") ? 1 : 0, wildcards.count, plan.count, chosen.count]
            let names = chosen.map { CacheTag.matchKey($0) }.joined(separator: ",")
            if let current = best,
                current.rank != rank ? !rank.lexicographicallyPrecedes(current.rank) : current.tags <= names
            {
                continue
            }
            best = (rank, names, plan)
        }
        return best?.plan ?? paths
    }

    /// The tags worth trying: those carried by the changes of some unpinned path, most paths first, then by name;
    /// each spelled as first seen.
    static func candidates(_ needs: [Need]) -> [String] {
        var counts: [String: (item: String, paths: Int)] = [:]
        for need in needs where !need.carriers.isEmpty && !need.carriers.contains(where: \.isEmpty) {
            var seen = Set<String>()
            for item in need.carriers.joined() where seen.insert(CacheTag.matchKey(item)).inserted {
                counts[CacheTag.matchKey(item), default: (item, 0)].paths += 1
            }
        }
        return counts.sorted { ($1.value.paths, $0.key) < ($0.value.paths, $1.key) }.prefix(maximumCandidates)
            .map(\.value.item)
    }

    /// The needs as lines, for a coalescing window's record: `path` for a pinned path, else `path<TAB>#a,#b` for
    /// each distinct carrier. A path never holds a raw tab (`CloudFrontPath` encodes it) and a tag never holds a
    /// comma, so the lines parse back (`needs(lines:)`) whatever the key.
    public static func lines(_ needs: [Need]) -> [String] {
        needs.flatMap { need -> [String] in
            if need.carriers.isEmpty || need.carriers.contains(where: \.isEmpty) { return [need.path] }
            var seen = Set<[String]>()
            return need.carriers.filter { seen.insert($0).inserted }.map {
                need.path + "\t" + $0.joined(separator: ",")
            }
        }
    }

    /// Lines as `lines(_:)` writes them (a plain path, recorded without tag rules, is pinned), merged per path and
    /// sorted by path.
    public static func needs(lines: [String]) -> [Need] {
        var carriers: [String: [[String]]] = [:]
        for line in lines {
            if let tab = line.utf8.firstIndex(of: UInt8(ascii: "\t")) {
                let path = String(line[..<tab])
                let tags = line[line.index(after: tab)...].split(separator: ",").map(String.init)
                carriers[path, default: []].append(tags)
            } else {
                carriers[line, default: []].append([])
            }
        }
        return carriers.keys.sorted().map { Need(path: $0, carriers: carriers[$0]!) }
    }
}

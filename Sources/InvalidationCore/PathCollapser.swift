/// Collapses many exact paths into a few directory wildcards when, and only when, the budget requires it.
///
/// At most `maximumPaths` paths stay exact: a small change is invalidated exactly. Above that, the changed
/// directories are candidate wildcards (`/assets/img/*`); while there are more candidates than wildcards allowed,
/// the deepest candidates that share a parent are merged into it (the parent with the most of them first), so
/// every wildcard is as deep as the budget allows. A candidate covering a single path stays that exact path, and
/// files at the root stay exact (`/*` is not a directory wildcard but the last resort). When merging cannot fit the
/// budget (say, more top-level directories than wildcards), the plan mixes wildcards and exact paths: the cheapest
/// choice of top-level directories to cover, the rest exact (`mixedCover`). Only when no plan of directory wildcards
/// and exact paths fits the budget is the answer `/*`. The result is sorted: the same set of paths always gives the
/// same plan.
public enum PathCollapser {
    public static func collapse(_ paths: [String], budget: PathBudget) -> [String] {
        // The planner passes sorted, unique paths; anything else is made so.
        let sorted = zip(paths, paths.dropFirst()).allSatisfy { $0 < $1 } ? paths : Array(Set(paths)).sorted()
        if fits(sorted, budget) { return sorted }
        if budget.maximumWildcards < 1 { return fallback(budget) }
        return deepestWildcards(sorted, budget: budget) ?? mixedCover(sorted, budget: budget) ?? fallback(budget)
    }

    /// Whether a plan keeps both limits of the budget.
    static func fits(_ plan: [String], _ budget: PathBudget) -> Bool {
        plan.count <= budget.maximumPaths && wildcardCount(plan) <= budget.maximumWildcards
    }

    static func wildcardCount(_ paths: [String]) -> Int {
        paths.reduce(0) { $0 + (CloudFrontPath.isWildcard($1) ? 1 : 0) }
    }

    /// Every changed directory a wildcard, siblings merged into their parent while there are too many; nil when the
    /// result does not fit the budget.
    static func deepestWildcards(_ sorted: [String], budget: PathBudget) -> [String]? {
        // Candidate directories: where each changed path lives ("/a/b/c.html" and "/a/b/" live in "/a/b/").
        var levels: [Int: Set<String>] = [:]
        var previous: String?
        for path in sorted {
            // Sorted paths share their directory with their neighbours: make each directory's string once per run.
            if let previous, sameDirectory(path, previous) { continue }
            let directory = directory(path)
            previous = directory
            if directory != "/" { levels[depth(directory), default: []].insert(directory) }
        }
        var count = levels.values.reduce(0) { $0 + $1.count }
        while count > budget.maximumWildcards {
            guard let deepest = levels.keys.max(), deepest > 1, let members = levels[deepest] else { return nil }
            var groups: [String: [String]] = [:]
            for candidate in members { groups[parent(candidate), default: []].append(candidate) }
            // Siblings merge into their parent, largest family first, only while there are too many candidates.
            let families = groups.filter { $0.value.count > 1 }.sorted {
                $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key
            }
            var remaining = members
            if families.isEmpty {
                // No two of the deepest share a parent: lift them all one level, where they may meet.
                remaining = []
                for (parent, _) in groups { count -= insert(parent, into: &levels, depth: deepest - 1) ? 0 : 1 }
            } else {
                for (parent, family) in families where count > budget.maximumWildcards {
                    remaining.subtract(family)
                    count -= family.count
                    if insert(parent, into: &levels, depth: deepest - 1) { count += 1 }
                }
            }
            levels[deepest] = remaining.isEmpty ? nil : remaining
        }
        let candidates = levels.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        // An ancestor's wildcard covers its descendants.
        let chosen = candidates.sorted().filter { candidate in
            !candidates.contains { $0 != candidate && candidate.utf8.starts(with: $0.utf8) }
        }
        var result: [String] = []
        var isCovered = [Bool](repeating: false, count: sorted.count)
        for directory in chosen {
            let inside = sorted.indices.filter { CloudFrontPath.hasPrefix(sorted[$0], directory) }
            if inside.count > 1 {
                result.append(directory + "*")
                for index in inside { isCovered[index] = true }
            }
        }
        for (index, path) in sorted.enumerated() where !isCovered[index] { result.append(path) }
        result.sort()
        return fits(result, budget) ? result : nil
    }

    /// The cheapest plan of top-level directory wildcards and exact paths, or nil when none fits.
    ///
    /// Any plan of directory wildcards only gets cheaper when each wildcard is replaced by its top-level directory's
    /// (it covers more, and wildcards that meet merge), so searching the top-level choices finds a plan whenever one
    /// exists. Which top-level directories to cover is a small knapsack (`cheapestCover`); the covered directories
    /// then get wildcards as deep as the rest of the budget allows.
    static func mixedCover(_ sorted: [String], budget: PathBudget) -> [String]? {
        var root: [String] = []
        var groups: [(directory: String, paths: [String])] = []
        for path in sorted {
            guard let top = topDirectory(path) else {
                root.append(path)
                continue
            }
            // Sorted paths under one directory are neighbours.
            if groups.last?.directory == top {
                groups[groups.count - 1].paths.append(path)
            } else {
                groups.append((top, [path]))
            }
        }
        let capacity = budget.maximumWildcards - wildcardCount(root)
        guard capacity >= 0, !groups.isEmpty,
            let covered = cheapestCover(groups.map { ($0.paths.count, wildcardCount($0.paths)) }, capacity: capacity)
        else { return nil }
        var exact = root
        var wide: [String] = []
        for (index, group) in groups.enumerated() {
            if covered[index] { wide += group.paths } else { exact += group.paths }
        }
        let rest = PathBudget(
            maximumPaths: budget.maximumPaths - exact.count,
            maximumWildcards: budget.maximumWildcards - wildcardCount(exact))
        let topLevel = groups.indices.filter { covered[$0] }.map { groups[$0].directory + "*" }
        let plan = (exact + (deepestWildcards(wide, budget: rest) ?? topLevel)).sorted()
        return fits(plan, budget) ? plan : nil
    }

    /// Which groups to cover with one wildcard each (a group holds `paths` paths, `wildcards` of them wildcards) so
    /// that at most `capacity` wildcards remain in all, with the fewest paths; ties keep more paths exact. nil when
    /// no choice keeps within `capacity`.
    ///
    /// Dynamic programming over the wildcard count: `fewest[k]` is the fewest paths with exactly `k` wildcards.
    static func cheapestCover(_ groups: [(paths: Int, wildcards: Int)], capacity: Int) -> [Bool]? {
        let impossible = Int.max
        var fewest = [Int](repeating: impossible, count: capacity + 1)
        fewest[0] = 0
        // choices[g][k]: whether group g is covered on the best way to k wildcards after it.
        var choices: [[Bool]] = []
        for group in groups {
            var next = [Int](repeating: impossible, count: capacity + 1)
            var covered = [Bool](repeating: false, count: capacity + 1)
            for used in 0...capacity where fewest[used] != impossible {
                let exact = used + group.wildcards
                if exact <= capacity, fewest[used] + group.paths < next[exact] {
                    next[exact] = fewest[used] + group.paths
                    covered[exact] = false
                }
                // Covering a single path gains nothing.
                if group.paths > 1, used < capacity, fewest[used] + 1 < next[used + 1] {
                    next[used + 1] = fewest[used] + 1
                    covered[used + 1] = true
                }
            }
            fewest = next
            choices.append(covered)
        }
        guard let best = fewest.indices.filter({ fewest[$0] != impossible }).min(by: { fewest[$0] < fewest[$1] })
        else { return nil }
        var result = [Bool](repeating: false, count: groups.count)
        var used = best
        for index in groups.indices.reversed() {
            result[index] = choices[index][used]
            used -= result[index] ? 1 : groups[index].wildcards
        }
        return result
    }

    /// `/a/` for `/a/b/c.html` and for `/a/`; nil for a path at the root (`/index.html`, `/`, `/page*`).
    static func topDirectory(_ path: String) -> String? {
        let bytes = path.utf8
        guard let slash = bytes.dropFirst().firstIndex(of: UInt8(ascii: "/")) else { return nil }
        return String(bytes[...slash])!
    }

    static func fallback(_ budget: PathBudget) -> [String] { ["/*"] }

    /// Inserts a candidate; true when it was not there yet.
    static func insert(_ directory: String, into levels: inout [Int: Set<String>], depth: Int) -> Bool {
        levels[depth, default: []].insert(directory).inserted
    }

    /// The directory a path lives in, with its trailing slash: `/a/b/` for `/a/b/c.html`, `/a/b/` and `/a/b/x*`.
    static func directory(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "/" }
        return String(path.utf8[...slash])!
    }

    /// Whether `path` lives in `directory` (a directory as `directory(_:)` gives it) and in no subdirectory of it.
    static func sameDirectory(_ path: String, _ directory: String) -> Bool {
        guard CloudFrontPath.hasPrefix(path, directory) else { return false }
        return !path.utf8.dropFirst(directory.utf8.count).contains(UInt8(ascii: "/"))
    }

    /// `/` is 0, `/a/` is 1, `/a/b/` is 2.
    static func depth(_ directory: String) -> Int {
        directory.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) } - 1
    }

    static func parent(_ directory: String) -> String {
        let trimmed = directory.utf8.dropLast()
        guard let slash = trimmed.lastIndex(of: UInt8(ascii: "/")) else { return "/" }
        return String(directory.utf8[...slash])!
    }

    /// Whether `path` (a changed object's URL path) is invalidated by `planned` (exact, or a wildcard prefix).
    public static func covers(_ planned: String, _ path: String) -> Bool {
        if CloudFrontPath.isWildcard(planned) { return path.utf8.starts(with: planned.utf8.dropLast()) }
        return planned == path
    }
}

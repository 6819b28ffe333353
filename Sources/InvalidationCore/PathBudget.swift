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

/// Collapses many exact paths into a few directory wildcards when, and only when, the budget requires it.
///
/// At most `maximumPaths` paths stay exact: a small change is invalidated exactly. Above that, the changed
/// directories are candidate wildcards (`/assets/img/*`); while there are more candidates than wildcards allowed,
/// the deepest candidates that share a parent are merged into it (the parent with the most of them first), so
/// every wildcard is as deep as the budget allows. A candidate covering a single path stays that exact path, and
/// files at the root stay exact (`/*` is not a directory wildcard but the last resort). Only when no such plan fits
/// the budget is the answer `/*`. The result is sorted: the same set of paths always gives the same plan.
public enum PathCollapser {
    public static func collapse(_ paths: [String], budget: PathBudget) -> [String] {
        // The planner passes sorted, unique paths; anything else is made so.
        let sorted = zip(paths, paths.dropFirst()).allSatisfy { $0 < $1 } ? paths : Array(Set(paths)).sorted()
        let wildcardCount = sorted.reduce(0) { $0 + (CloudFrontPath.isWildcard($1) ? 1 : 0) }
        if sorted.count <= budget.maximumPaths && wildcardCount <= budget.maximumWildcards { return sorted }
        if budget.maximumWildcards < 1 { return fallback(budget) }

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
            guard let deepest = levels.keys.max(), deepest > 1, let members = levels[deepest] else {
                return fallback(budget)
            }
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
        let wildcards = result.reduce(0) { $0 + (CloudFrontPath.isWildcard($1) ? 1 : 0) }
        guard result.count <= budget.maximumPaths, wildcards <= budget.maximumWildcards else {
            return fallback(budget)
        }
        return result
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

/// `INCLUDE` / `EXCLUDE`: which object keys are invalidated at all, as comma-separated glob lists
/// (`EXCLUDE=*.map,uploads/*`). `*` matches any run of characters, `/` included; `?` one character. A key is kept
/// when it matches some `INCLUDE` pattern (or none is given) and no `EXCLUDE` pattern.
public struct KeyFilter: Sendable, Equatable {
    public var include: [String]
    public var exclude: [String]

    public init(include: [String] = [], exclude: [String] = []) {
        self.include = include
        self.exclude = exclude
    }

    /// Parses a comma-separated list, ignoring blanks around and between patterns.
    public static func patterns(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    public var isEmpty: Bool { include.isEmpty && exclude.isEmpty }

    public func keeps(_ key: String) -> Bool {
        if !include.isEmpty && !include.contains(where: { Self.matches($0, key) }) { return false }
        return !exclude.contains { Self.matches($0, key) }
    }

    /// Glob matching over Unicode scalars, iterative with one backtrack point (linear for these patterns).
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let t = Array(text.unicodeScalars)
        var pi = 0
        var ti = 0
        var star: Int?
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || (p[pi] != "*" && p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if let star {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

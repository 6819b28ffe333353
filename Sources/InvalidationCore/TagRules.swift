import Formats
import JSONSupport

/// `TAG_RULES`: which objects carry which cache tag at the origin, as `glob=tag` entries separated by commas
/// (`*.html=html,docs/*=docs`). The globs are `INCLUDE` / `EXCLUDE`'s (`KeyFilter`), matched against the object's
/// key in its bucket; an object carries the tag of every entry its key matches, in the order written.
///
/// The rules only declare what the deploy does: S3 serves an object's `cache-tag` metadata as
/// `x-amz-meta-cache-tag`, and `aws s3 sync ... --metadata cache-tag=html` (with an `--exclude '*' --include
/// '*.html'` pair per tag) sets it. A rule the deploy does not follow leaves its objects stale when the planner
/// covers them by tag, which is why the planner uses tags only for a distribution whose `CacheTagConfig` was
/// confirmed, and why the README says how to upload them.
public struct TagRules: Sendable, Equatable {
    /// One entry: objects whose key matches `pattern` carry `item` (a tag item, `#html`).
    public struct Rule: Sendable, Equatable {
        public var pattern: String
        public var item: String
    }

    public var rules: [Rule]

    public init(rules: [Rule] = []) {
        self.rules = rules
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// Parses `glob=tag,glob=tag`; an entry splits at its first `=` (a tag may hold `=`, a key rarely does).
    /// - Throws: naming the entry and what is wrong with it.
    public init(parsing text: String) throws(InputError) {
        var rules: [Rule] = []
        for entry in KeyFilter.patterns(text) {
            guard let equals = entry.firstIndex(of: "=") else {
                throw InputError("entry \(JSON.quote(entry)) is not glob=tag (such as *.html=html)")
            }
            let pattern = entry[..<equals].trimmingWhitespace()
            let tag = entry[entry.index(after: equals)...].trimmingWhitespace()
            guard !pattern.isEmpty else {
                throw InputError("entry \(JSON.quote(entry)) has no glob before its =")
            }
            let item: String
            do {
                item = try CacheTag.item(tag)
            } catch {
                throw InputError("entry \(JSON.quote(entry)): \(error.message)")
            }
            rules.append(Rule(pattern: pattern, item: item))
        }
        self.init(rules: rules)
    }

    /// The tag items an object with this key carries, without repeats (case-insensitively), in rule order.
    public func items(forKey key: String) -> [String] {
        var items: [String] = []
        for rule in rules where KeyFilter.matches(rule.pattern, key) { items.append(rule.item) }
        return items.count > 1 ? CacheTag.unique(items) : items
    }
}

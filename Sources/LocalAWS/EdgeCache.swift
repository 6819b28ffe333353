import FoundationEssentials

/// What a distribution's edge caches hold for a site, and what each invalidation purged from them: the measure of a
/// plan. Cost alone says nothing about correctness; this says, for a deploy, which changed objects an invalidation
/// left stale and how many unchanged ones it purged for nothing (each a request the origin serves again).
///
/// It is seeded with the site's objects (the URL path viewers request, and the cache tags the origin declared for
/// it), and records every invalidation `FakeCloudFront` creates on its distribution (a replay of an earlier
/// CallerReference creates nothing, so purges nothing). An item matches as CloudFront documents
/// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html and
/// invalidation-specifying-tags.html in the same guide):
///
/// - a path matches the object with exactly that path, byte for byte: paths are case-sensitive, and percent-encoding
///   is compared as sent (`/a%20b.html` is not `/a b.html`, nor `/a%2fb` `/a%2Fb`);
/// - a path ending in `*` matches every object whose path starts with what comes before it (`/docs/*` purges
///   `/docs/a/b.html`; `/*` purges everything);
/// - a tag item (`#html`) matches every object the origin tagged so, case-insensitively.
///
/// Objects are cached once each: query-string and header variants are not modelled (a tag purges them all anyway).
public struct EdgeCache: Sendable {
    /// One cached object: its URL path, as encoded in requests, and its tags (without `#`).
    public struct Object: Sendable, Equatable {
        public var path: String
        public var tags: [String]
        public init(path: String, tags: [String] = []) {
            self.path = path
            self.tags = tags
        }
    }

    /// One created invalidation and the cached objects it purged.
    public struct Purge: Sendable, Equatable {
        public var invalidationId: String
        /// When CloudFront created it: a change at or before this time is covered by it.
        public var created: Date
        public var items: [String]
        /// The paths of the seeded objects it purged, in seeding order.
        public var purged: [String]
    }

    /// A change a deploy made: the object at `path` changed at `time` (uploaded, overwritten or deleted).
    public struct Change: Sendable, Equatable {
        public var path: String
        public var time: Date
        public init(path: String, time: Date) {
            self.path = path
            self.time = time
        }
    }

    /// What a deploy's invalidations did to the cache.
    public struct Figures: Sendable, Equatable {
        /// Changed objects that no invalidation created at or after their (last) change purged: viewers still get
        /// the old content. Must be empty for any correct plan. Sorted.
        public var stale: [String]
        /// Objects that did not change but were purged: correct, but each is fetched from the origin again. Sorted.
        public var overInvalidated: [String]
        /// Invalidations recorded, and their items in all (what CloudFront bills).
        public var invalidations: Int
        public var billableItems: Int
    }

    public private(set) var objects: [Object]
    public private(set) var purges: [Purge] = []
    /// Keyed by UTF-8 bytes: `String` equality is canonical equivalence, CloudFront's is byte for byte.
    private var byPath: [[UInt8]: Int] = [:]
    private var byTag: [String: [Int]] = [:]
    /// Object indexes sorted by the UTF-8 bytes of their paths, so that a wildcard's objects are one run.
    private var sortedByPath: [Int] = []

    /// - Precondition: no two objects share a path (one cache entry each).
    public init(objects: [Object]) {
        self.objects = objects
        for (index, object) in objects.enumerated() {
            precondition(
                byPath.updateValue(index, forKey: Array(object.path.utf8)) == nil, "two objects at \(object.path)")
            for tag in Set(object.tags.map(Self.tagKey)) { byTag[tag, default: []].append(index) }
        }
        sortedByPath = objects.indices.sorted { objects[$0].path.utf8.lexicographicallyPrecedes(objects[$1].path.utf8) }
    }

    /// The seeded objects one invalidation's items purge, as indexes in seeding order.
    public func purgedIndexes(by items: [String]) -> [Int] {
        var hit = Set<Int>()
        for item in items {
            if item.utf8.first == UInt8(ascii: "#") {
                hit.formUnion(byTag[Self.tagKey(String(item.utf8.dropFirst())!)] ?? [])
            } else if item.utf8.last == UInt8(ascii: "*") {
                hit.formUnion(objectsUnder(Array(item.utf8.dropLast())))
            } else if let index = byPath[Array(item.utf8)] {
                hit.insert(index)
            }
        }
        return hit.sorted()
    }

    /// The paths of the seeded objects these items purge, in seeding order.
    public func purged(by items: [String]) -> [String] { purgedIndexes(by: items).map { objects[$0].path } }

    /// Records a created invalidation.
    public mutating func record(invalidationId: String, created: Date, items: [String]) {
        purges.append(Purge(invalidationId: invalidationId, created: created, items: items, purged: purged(by: items)))
    }

    /// Forgets the recorded invalidations (the cache is refilled), so that the next deploy is measured alone.
    public mutating func clearPurges() { purges = [] }

    /// The figures of a deploy that made `changes`, against every invalidation recorded since the last
    /// `clearPurges`. An object changed several times must be purged after its last change. A changed path that was
    /// not seeded (a new object) is judged by path items only, since no tag of it is known.
    public func figures(changes: [Change]) -> Figures {
        var lastChange: [String: Date] = [:]
        for change in changes { lastChange[change.path] = max(lastChange[change.path] ?? change.time, change.time) }
        var lastPurge = [Date?](repeating: nil, count: objects.count)
        for purge in purges {
            for path in purge.purged {
                let index = byPath[Array(path.utf8)]!
                lastPurge[index] = max(lastPurge[index] ?? purge.created, purge.created)
            }
        }
        var stale: [String] = []
        for (path, time) in lastChange {
            let purgedAt: Date?
            if let index = byPath[Array(path.utf8)] {
                purgedAt = lastPurge[index]
            } else {
                purgedAt = purges.filter { $0.items.contains { Self.pathItem($0, matches: path) } }.map(\.created).max()
            }
            if purgedAt.map({ $0 < time }) ?? true { stale.append(path) }
        }
        let overInvalidated = objects.indices.filter { lastPurge[$0] != nil && lastChange[objects[$0].path] == nil }
        return Figures(
            stale: stale.sorted(), overInvalidated: overInvalidated.map { objects[$0].path }.sorted(),
            invalidations: purges.count, billableItems: purges.reduce(0) { $0 + $1.items.count })
    }

    /// The objects whose path starts with `prefix`: a run of the sorted paths, found by binary search.
    private func objectsUnder(_ prefix: [UInt8]) -> ArraySlice<Int> {
        var low = 0
        var high = sortedByPath.count
        while low < high {
            let middle = (low + high) / 2
            if objects[sortedByPath[middle]].path.utf8.lexicographicallyPrecedes(prefix) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        var end = low
        while end < sortedByPath.count, objects[sortedByPath[end]].path.utf8.starts(with: prefix) { end += 1 }
        return sortedByPath[low..<end]
    }

    /// Whether a path item (exact or wildcard) matches `path`; a tag item never matches an unseeded object.
    static func pathItem(_ item: String, matches path: String) -> Bool {
        if item.utf8.first == UInt8(ascii: "#") { return false }
        if item.utf8.last == UInt8(ascii: "*") { return path.utf8.starts(with: item.utf8.dropLast()) }
        return item.utf8.elementsEqual(path.utf8)
    }

    /// Tags compare case-insensitively; they are ASCII, so ASCII lower case is the whole rule.
    static func tagKey(_ tag: String) -> String {
        String(decoding: tag.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}

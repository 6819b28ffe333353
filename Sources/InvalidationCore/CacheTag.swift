import JSONSupport

/// CloudFront cache tags, as an invalidation carries them: an item of `Paths.Items` that starts with `#` invalidates
/// every cached object whose origin response named that tag in the distribution's `CacheTagConfig` header
/// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-by-tags.html).
///
/// The rules are those of "What you need to know when invalidating tags"
/// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-tags.html): a tag is
/// printable ASCII (33 to 126) without commas, at most 256 characters, and case-insensitive (`#HTML` and `#html` are
/// one tag); an item never holds the `*` wildcard. A path always starts with `/`, so the first byte tells a tag item
/// from a path.
///
/// What a tag costs: the same guide says each tag item counts as one invalidation path, for billing and toward the
/// same concurrent limits as paths. The limits page
/// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html) has two of them per
/// distribution, 3,000 file paths and 15 wildcard paths in progress; the tag guide does not say which a tag falls
/// under, and a tag has no `*`, so it is counted as a file path: against the 3,000, never against the 15. That is
/// the conservative reading for the planner too: a tag never takes one of the few wildcard slots, and a request of
/// 3,000 items, tags included, stays within the file limit.
public enum CacheTag {
    /// The longest tag CloudFront keeps (without the item's `#`).
    public static let maximumLength = 256
    /// The most tags CloudFront stores per cached object; an origin's tags beyond these cannot be invalidated.
    public static let maximumPerObject = 50

    /// Whether an invalidation item is a tag (`#html`) rather than a path (`/index.html`).
    public static func isItem(_ item: some StringProtocol) -> Bool { item.utf8.first == UInt8(ascii: "#") }

    /// The invalidation item for a tag a person wrote, with or without the item's `#` (`html` and `#html` both give
    /// `#html`; a tag that itself starts with `#` is written `##tag`). The spelling is kept: CloudFront matches
    /// tags case-insensitively, so there is nothing to normalise but the prefix.
    /// - Throws: naming the tag and what is wrong with it.
    public static func item(_ text: String) throws(InputError) -> String {
        let tag = isItem(text) ? String(text.utf8.dropFirst())! : text
        if let refusal = refusal(tag) {
            throw InputError("cache tag \(JSON.quote(String(text.prefix(80)))) \(refusal)")
        }
        return "#" + tag
    }

    /// Why CloudFront would not take `tag` (without the item's `#`), or nil when it would.
    public static func refusal(_ tag: some StringProtocol) -> String? {
        let bytes = tag.utf8
        if bytes.isEmpty { return "is empty" }
        if bytes.count > maximumLength {
            return "is \(bytes.count) characters long; a tag has at most \(maximumLength)"
        }
        if let bad = bytes.first(where: { $0 < 33 || $0 > 126 }) {
            let shown = bad < 0x80 ? "character 0x\(String(bad, radix: 16, uppercase: true))" : "non-ASCII characters"
            return "holds \(bad == 0x20 ? "a space" : shown); a tag is printable ASCII (33 to 126)"
        }
        if bytes.contains(UInt8(ascii: ",")) {
            return "holds a comma, which separates tags in the origin's header"
        }
        if bytes.contains(UInt8(ascii: "*")) {
            return "holds *: tags are never wildcards (each item matches one tag exactly)"
        }
        return nil
    }

    /// The key two items are the same tag under: CloudFront compares tags case-insensitively, and tags are ASCII.
    public static func matchKey(_ item: some StringProtocol) -> String {
        String(decoding: item.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// Tag items without repeats, compared case-insensitively; the first spelling of each is kept, in order.
    public static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert(matchKey($0)).inserted }
    }
}

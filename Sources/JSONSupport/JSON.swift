/// Strict RFC 8259 JSON over UTF-8 bytes: `parse` (`JSON+Parse.swift`), `quote` and `serialize`
/// (`JSON+Serialize.swift`).
///
/// Strict where leniency would hide corruption (invalid UTF-8, lone surrogates, trailing garbage) and bounded in
/// nesting, so a hostile 6 MB payload of `[[[[…` is an error, not a stack overflow. There is one grammar, the
/// scanner in `JSONTape.swift`; `JSONValue` and `JSONDocument` are two ways of reading what it recorded.
public enum JSON {
    /// Nesting deeper than this is rejected; real events nest fewer than ten levels. It also bounds the scanner's
    /// and the value builder's recursion, which is what keeps a deeply nested document off the stack's limit.
    public static let maximumDepth = 256
}

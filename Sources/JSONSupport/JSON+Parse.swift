extension JSON {
    /// The value of the document `bytes`, parsed in place when they are contiguous (arrays, native strings).
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        let result =
            bytes.withContiguousStorageIfAvailable { parseResult($0) }
            ?? Array(bytes).withUnsafeBufferPointer { parseResult($0) }
        return try result.get()
    }

    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        var text = text
        return try text.withUTF8 { parseResult($0) }.get()
    }

    /// `parse(_:)` for what a person writes (a pipeline's `UserParameters`, `DISTRIBUTION_MAP`): an object naming a
    /// member twice is an error, since RFC 8259 leaves its meaning open and a silent "last one wins" hides the typo.
    public static func parse(_ text: String, rejectingDuplicateMembers: Bool) throws(JSONError) -> JSONValue {
        var text = text
        return try text.withUTF8 { parseResult($0, rejectingDuplicateMembers: rejectingDuplicateMembers) }.get()
    }

    /// Scans the document into a tape, then builds its value in one walk over the tape: the grammar and its
    /// errors are the scanner's alone, so `JSON.parse` and `JSONDocument` cannot disagree on what is JSON.
    static func parseResult(
        _ bytes: UnsafeBufferPointer<UInt8>, rejectingDuplicateMembers: Bool = false
    ) -> Result<JSONValue, JSONError> {
        let entries: [JSONTape.Entry]
        do {
            entries = try JSONTape.scan(bytes, rejectingDuplicateMembers: rejectingDuplicateMembers)
        } catch {
            return .failure(error)
        }
        return .success(entries.withUnsafeBufferPointer { JSONTape(bytes: bytes, entries: $0).value(at: 0) })
    }
}

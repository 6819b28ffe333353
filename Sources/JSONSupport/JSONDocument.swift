/// A validated JSON document kept as its bytes and tape, for readers that need a few fields of large or many
/// documents (an SQS batch of 10,000 messages): nothing is decoded until asked for, and no dictionary or string is
/// built per object.
///
/// It is scanned by the same code as `JSON.parse`, so it accepts and rejects exactly what `JSON.parse` does, with
/// the same errors at the same offsets, and `JSONNode.value` is the `JSONValue` that `JSON.parse` gives.
package final class JSONDocument {
    package enum Kind: UInt8 {
        case null, `true`, `false`, number, string, array, object
    }

    package let bytes: [UInt8]
    let entries: [JSONTape.Entry]

    /// Parses `bytes`; the document keeps them.
    package init(bytes: [UInt8]) throws(JSONError) {
        self.bytes = bytes
        self.entries = try bytes.withUnsafeBufferPointer { pointer throws(JSONError) in try JSONTape.scan(pointer) }
    }

    /// The top-level value.
    package var root: JSONNode { JSONNode(document: self, index: 0) }

    /// Reads the tape over the document's bytes.
    @inline(__always)
    func withTape<Result>(_ body: (JSONTape) -> Result) -> Result {
        bytes.withUnsafeBufferPointer { bytes in
            entries.withUnsafeBufferPointer { entries in body(JSONTape(bytes: bytes, entries: entries)) }
        }
    }
}

import JSONSupport

extension EventDecoder {
    /// A change's identity: its parts joined by `|`, a missing or non-scalar part empty; built as bytes, the
    /// scalars copied from the event as they are (as `scalarText` would render them) without a String each.
    struct Identity {
        var bytes: [UInt8] = []

        /// Starts with `prefix` and `kind` (no `|` between them).
        init(_ prefix: String, _ kind: StaticString, capacity: Int) {
            bytes.reserveCapacity(prefix.utf8.count + kind.utf8CodeUnitCount + capacity)
            bytes.append(contentsOf: prefix.utf8)
            bytes.append(contentsOf: UnsafeBufferPointer(start: kind.utf8Start, count: kind.utf8CodeUnitCount))
        }

        mutating func add(_ part: String) {
            bytes.append(UInt8(ascii: "|"))
            bytes.append(contentsOf: part.utf8)
        }

        mutating func add(_ part: JSONNode?) {
            bytes.append(UInt8(ascii: "|"))
            part?.appendScalarText(to: &bytes)
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }
}

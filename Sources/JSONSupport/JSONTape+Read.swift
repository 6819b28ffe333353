/// Reading values back from a scanned document. The scanner has validated every byte, so nothing here checks
/// again or fails: an entry's bytes are known to be a well-formed string, number or container.
extension JSONTape {
    /// The index of the entry after the value at `index` and everything inside it.
    func next(after index: Int) -> Int {
        let entry = entries[index]
        switch entry.kind {
        case .array, .object: return Int(entry.end)
        default: return index + 1
        }
    }

    /// The value at `index` as `JSON.parse` gives it: one walk over the entries inside it, recursive as deep as the
    /// scanner let the document nest. An object's repeated name keeps its last value.
    func value(at index: Int) -> JSONValue {
        let entry = entries[index]
        switch entry.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .number: return .number(text(entry))
        case .string: return .string(string(entry))
        case .array:
            var values: [JSONValue] = []
            var child = index + 1
            while child < Int(entry.end) {
                values.append(value(at: child))
                child = next(after: child)
            }
            return .array(values)
        case .object:
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(8)
            var child = index + 1
            while child < Int(entry.end) {
                let valueIndex = child + 1
                members[string(entries[child])] = value(at: valueIndex)
                child = next(after: valueIndex)
            }
            return .object(members)
        }
    }

    /// The bytes of a number or string entry as they stand in the document (a string's without its quotes).
    func raw(_ entry: Entry) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(entry.start)..<Int(entry.end)])
    }

    /// A number's source text, or a string's without decoding its escapes.
    func text(_ entry: Entry) -> String { String(decoding: raw(entry), as: UTF8.self) }

    /// The decoded string of a string entry.
    func string(_ entry: Entry) -> String {
        entry.flags & 1 == 0 ? text(entry) : String(decoding: unescaped(entry), as: UTF8.self)
    }

    /// Whether the string entry at `index` is `text` (compared as Swift strings compare), with `text`'s UTF-8 at
    /// hand. Equal bytes are equal strings, and different ASCII spellings different ones, without decoding;
    /// anything else is decoded and compared as Swift compares (a precomposed é equals e + U+0301).
    func stringEntry(_ index: Int, equals text: String, utf8: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> Bool {
        let entry = entries[index]
        if entry.flags == 0 {
            let raw = raw(entry)
            if raw.count == utf8.count {
                var equal = true
                for offset in 0..<raw.count where raw[offset] != utf8[offset] {
                    equal = false
                    break
                }
                if equal { return true }
            }
            if isASCII { return false }
        }
        return string(entry) == text
    }

    /// The index of the value of the member `key` of the object at `index` (the last, when the name repeats), or
    /// nil when there is none or the value is not an object; one pass over the members.
    func member(of index: Int, named key: String, utf8: UnsafeBufferPointer<UInt8>) -> Int? {
        let entry = entries[index]
        guard entry.kind == .object else { return nil }
        let isASCII = utf8.allSatisfy { $0 < 0x80 }
        var found: Int?
        var child = index + 1
        while child < Int(entry.end) {
            let valueIndex = child + 1
            if stringEntry(child, equals: key, utf8: utf8, isASCII: isASCII) { found = valueIndex }
            child = next(after: valueIndex)
        }
        return found
    }

    static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// The decoded UTF-8 bytes of a string entry.
    func unescaped(_ entry: Entry) -> [UInt8] {
        var index = Int(entry.start)
        let end = Int(entry.end)
        if entry.flags & 1 == 0 { return Array(raw(entry)) }
        func hex4(_ at: Int) -> UInt32 {
            (at..<at + 4).reduce(0) { $0 << 4 | Self.hexDigit(bytes[$1])! }
        }
        // Decoded, a string is never longer than its escaped form.
        return [UInt8](unsafeUninitializedCapacity: end - index) { out, count in
            var written = 0
            while index < end {
                guard bytes[index] == UInt8(ascii: "\\") else {
                    copyPlainBlocks(from: &index, end: end, to: out, at: &written)
                    while index < end, bytes[index] != UInt8(ascii: "\\") {
                        out[written] = bytes[index]
                        index += 1
                        written += 1
                    }
                    continue
                }
                let escape = bytes[index + 1]
                index += 2
                switch escape {
                case UInt8(ascii: "b"): out[written] = 0x08
                case UInt8(ascii: "f"): out[written] = 0x0C
                case UInt8(ascii: "n"): out[written] = 0x0A
                case UInt8(ascii: "r"): out[written] = 0x0D
                case UInt8(ascii: "t"): out[written] = 0x09
                case UInt8(ascii: "u"):
                    var scalar = hex4(index)
                    index += 4
                    if (0xD800...0xDBFF).contains(scalar) {
                        let low = hex4(index + 2)
                        index += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    UTF8.encode(Unicode.Scalar(scalar)!) {
                        out[written] = $0
                        written += 1
                    }
                    continue
                default: out[written] = escape  // `"`, `\`, `/`
                }
                written += 1
            }
            count = written
        }
    }

    /// Copies the run at `index` up to the next backslash eight bytes at a time, as long as a whole block remains
    /// before `end`; the caller's byte loop copies the rest. Each block is stored whole (the output, never longer
    /// than the input read so far, has room for it) and counted up to its first backslash.
    @inline(__always)
    func copyPlainBlocks(
        from index: inout Int, end: Int, to out: UnsafeMutableBufferPointer<UInt8>, at written: inout Int
    ) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        while index + 8 <= end {
            let raw = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
            UnsafeMutableRawPointer(out.baseAddress! + written).storeBytes(of: raw, as: UInt64.self)
            let word = UInt64(littleEndian: raw)
            let backslash = word ^ (ones &* 0x5C)
            let found = (backslash &- ones) & ~backslash & (ones &* 0x80)
            if found != 0 {
                // The lowest mark is the first backslash (a borrow only marks bytes above it).
                let run = found.trailingZeroBitCount >> 3
                index += run
                written += run
                return
            }
            index += 8
            written += 8
        }
    }
}

/// A scanned JSON document: its bytes and a flat list of the positions of its values (the tape), in document order.
///
/// The scanner here is the project's only JSON grammar. It validates everything `JSON` promises (RFC 8259, UTF-8,
/// surrogate pairs, depth) but decodes nothing: a reader decodes only the values it asks for
/// (`JSONTape+Read.swift`), which is what makes a 5 MB SQS batch cheap to look into, and `JSON.parse` builds a
/// whole `JSONValue` from the same tape in one walk.
///
/// The view holds pointers, so it lives only inside the `withUnsafeBufferPointer` of whoever owns the bytes and
/// entries (`JSON.parse`, `JSONDocument`).
struct JSONTape {
    struct Entry {
        var kind: JSONDocument.Kind
        /// Strings: bit 0 set when the string has escapes, bit 1 when it has bytes outside ASCII.
        var flags: UInt8
        /// Strings: the first byte after the opening quote; numbers: the first byte.
        var start: UInt32
        /// Strings: the closing quote; numbers: the byte after the last; containers: the entry after the last
        /// member's (an object's members are entries in pairs, name then value).
        var end: UInt32
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let entries: UnsafeBufferPointer<Entry>

    /// The entries of the document `bytes`, or why it is not JSON (the message and byte offset tests rely on).
    ///
    /// With `rejectingDuplicateMembers`, an object naming a member twice (names compared as Swift strings compare)
    /// is an error at the second name's opening quote, reported as soon as the name is read.
    static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, rejectingDuplicateMembers: Bool = false
    ) throws(JSONError) -> [Entry] {
        var scanner = Scanner(bytes: bytes)
        scanner.rejectsDuplicateMembers = rejectingDuplicateMembers
        // About one value per twelve bytes in AWS's events and answers: one allocation for most documents.
        scanner.entries.reserveCapacity(bytes.count / 12 + 4)
        scanner.skipWhitespace()
        try scanner.scanValue(depth: 0)
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else { throw scanner.error("unexpected data after the JSON value") }
        return scanner.entries
    }
}

/// Validates a document and records its values' positions.
///
/// Recursive, one level of Swift recursion per level of nesting, bounded by `JSON.maximumDepth`: a hostile
/// `[[[[…` of any length stops at depth 256 with an error.
private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var entries: [JSONTape.Entry] = []
    var index = 0
    /// Whether an object naming a member twice is an error (else the last one wins, as readers take it).
    var rejectsDuplicateMembers = false

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ message: String) -> JSONError { JSONError(message: message, offset: index) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func append(_ kind: JSONDocument.Kind, _ flags: UInt8 = 0, _ start: Int = 0, _ end: Int = 0) {
        entries.append(JSONTape.Entry(kind: kind, flags: flags, start: UInt32(start), end: UInt32(end)))
    }

    mutating func scanValue(depth: Int) throws(JSONError) {
        guard depth < JSON.maximumDepth else { throw error("nesting deeper than \(JSON.maximumDepth) levels") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try scanObject(depth: depth)
        case UInt8(ascii: "["): try scanArray(depth: depth)
        case UInt8(ascii: "\""): try scanString()
        case UInt8(ascii: "t"): try scanLiteral("true", .true)
        case UInt8(ascii: "f"): try scanLiteral("false", .false)
        case UInt8(ascii: "n"): try scanLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        default: throw error("unexpected character")
        }
    }

    mutating func scanLiteral(_ literal: StaticString, _ kind: JSONDocument.Kind) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw error("invalid literal")
        }
        index += count
        append(kind)
    }

    mutating func scanObject(depth: Int) throws(JSONError) {
        guard let entry = openContainer(.object, close: UInt8(ascii: "}")) else { return }
        defer { entries[entry].end = UInt32(entries.count) }
        // The names seen so far, only when duplicates are refused (the decoder's documents never pay for it).
        var names: Set<String>? = rejectsDuplicateMembers ? [] : nil
        repeat {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let nameOffset = index
            try scanString()
            if names != nil {
                let name = JSONTape(bytes: bytes, entries: UnsafeBufferPointer(start: nil, count: 0))
                    .string(entries[entries.count - 1])
                guard names!.insert(name).inserted else {
                    throw JSONError(message: "duplicate member \(JSON.quote(name))", offset: nameOffset)
                }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            try scanValue(depth: depth + 1)
        } while try scanSeparator(close: UInt8(ascii: "}"))
    }

    mutating func scanArray(depth: Int) throws(JSONError) {
        guard let entry = openContainer(.array, close: UInt8(ascii: "]")) else { return }
        defer { entries[entry].end = UInt32(entries.count) }
        repeat {
            skipWhitespace()
            try scanValue(depth: depth + 1)
        } while try scanSeparator(close: UInt8(ascii: "]"))
    }

    /// Steps into the container at `index` and records it; answers its entry, whose end is set once its members
    /// are scanned, or nil when it is empty (then it is already closed and complete).
    @inline(__always)
    mutating func openContainer(_ kind: JSONDocument.Kind, close: UInt8) -> Int? {
        index += 1
        append(kind)
        skipWhitespace()
        guard index < bytes.count, bytes[index] == close else { return entries.count - 1 }
        index += 1
        entries[entries.count - 1].end = UInt32(entries.count)
        return nil
    }

    /// After a member or element: true after a comma (another one follows), false after `close`.
    @inline(__always)
    mutating func scanSeparator(close: UInt8) throws(JSONError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return true
        }
        guard bytes[index] == close else {
            throw error(close == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'")
        }
        index += 1
        return false
    }

    mutating func scanNumber() throws(JSONError) {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            skipDigits()
        }
        append(.number, 0, start, index)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    /// Whether `bytes[start..<end]` is valid UTF-8.
    func isValidUTF8(_ start: Int, _ end: Int) -> Bool {
        String(validating: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) != nil
    }

    /// Moves to the first byte that is a quote, a backslash, a control character or outside ASCII (bytes the
    /// string loops would step over one by one, changing nothing but the index), eight bytes at a time; at the end
    /// when there is none in the last whole block (the byte loops see the rest).
    @inline(__always)
    mutating func skipPlainBlocks() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // A byte's high bit: a quote or backslash (zero after the xor), a control character, or not ASCII. A
            // borrow can only mark bytes above a special one, so the lowest mark is the first special byte.
            let special =
                (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | (word &- ones &* 0x20) | word)
                & (ones &* 0x80)
            if special != 0 {
                index += special.trailingZeroBitCount >> 3
                return
            }
            index += 8
        }
    }

    /// Steps over the bytes up to the next quote or backslash, rejecting control characters; answers the bitwise
    /// or of the bytes stepped over (its high bit: some byte is outside ASCII).
    @inline(__always)
    mutating func scanRun() throws(JSONError) -> UInt8 {
        var high: UInt8 = 0
        skipPlainBlocks()
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("unescaped control character in string") }
            high |= byte
            index += 1
        }
        return high
    }

    /// Validates a string and records it. Decoded, a string is its raw runs with each escape's UTF-8 between them;
    /// an escape decodes to whole characters, so the decoded string is valid UTF-8 exactly when every raw run is,
    /// and the check runs per run. An invalid string is reported at its closing quote when it has no escape, else
    /// just after it.
    mutating func scanString() throws(JSONError) {
        index += 1
        let start = index
        // Most strings have no escape: one run, then the closing quote.
        let high = try scanRun()
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            if high >= 0x80, !isValidUTF8(start, index) { throw error("string is not valid UTF-8") }
            append(.string, high >= 0x80 ? 2 : 0, start, index)
            index += 1
            return
        }
        var valid = high < 0x80 || isValidUTF8(start, index)
        var nonASCII = high >= 0x80
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                guard valid else { throw error("string is not valid UTF-8") }
                append(.string, nonASCII ? 3 : 1, start, index - 1)
                return
            case UInt8(ascii: "\\"):
                if try scanEscape() { nonASCII = true }
            default:
                let runStart = index
                if try scanRun() >= 0x80 {
                    nonASCII = true
                    if valid { valid = isValidUTF8(runStart, index) }
                }
            }
        }
        throw error("unterminated string")
    }

    /// Validates the escape at `index` (a backslash); answers whether it stands for a character outside ASCII.
    @inline(__always)
    mutating func scanEscape() throws(JSONError) -> Bool {
        index += 1
        guard index < bytes.count else { throw error("unexpected end of input") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return false
        case UInt8(ascii: "u"):
            let scalar = try scanHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("lone surrogate in \\u escape") }
                index += 2
                let low = try scanHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate in \\u escape") }
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("lone surrogate in \\u escape")
            }
            return scalar >= 0x80
        default: throw error("invalid escape")
        }
    }

    mutating func scanHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of input") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = JSONTape.hexDigit(bytes[index]) else { throw error("invalid \\u escape") }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

/// A parsed JSON document.
///
/// Events reach the function in shapes that real emitters vary (optional fields, `eTag` or `etag`, bodies that are
/// JSON inside a JSON string), so the core walks a generic value instead of decoding fixed structs: a missing or
/// odd field then costs one record, never the batch. Numbers keep their source text; nothing here needs arithmetic.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member `key` of an object, or nil for anything else.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, or nil when the value is not a string.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A scalar rendered as text (strings as is, numbers as written, booleans); nil for null, arrays, objects.
    public var scalarText: String? {
        switch self {
        case .string(let value): return value
        case .number(let text): return text
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }

    /// The elements, or nil when the value is not an array.
    public var array: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// True for objects.
    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}

/// Why a document is not JSON, with the byte offset where parsing stopped.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Strict where leniency would hide corruption (invalid UTF-8, lone surrogates, trailing garbage) and bounded in
/// nesting, so a hostile 6 MB payload of `[[[[…` is an error, not a stack overflow.
public enum JSON {
    /// Nesting deeper than this is rejected; real events nest fewer than ten levels.
    public static let maximumDepth = 256

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        // Parse in place when the bytes are contiguous (arrays, native strings); copy only otherwise.
        let result =
            bytes.withContiguousStorageIfAvailable { parseResult($0) }
            ?? Array(bytes).withUnsafeBufferPointer { parseResult($0) }
        return try result.get()
    }

    static func parseResult(_ pointer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONError> {
        do {
            return .success(try parse(buffer: pointer))
        } catch {
            return .failure(error)
        }
    }

    static func parse(
        buffer pointer: UnsafeBufferPointer<UInt8>, rejectingDuplicateMembers: Bool = false
    ) throws(JSONError) -> JSONValue {
        var parser = Parser(bytes: pointer)
        parser.rejectsDuplicateMembers = rejectingDuplicateMembers
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == pointer.count else { throw parser.error("unexpected data after the JSON value") }
        return value
    }

    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        var text = text
        return try text.withUTF8 { parseResult($0) }.get()
    }

    /// `parse(_:)` for what a person writes (a pipeline's `UserParameters`, `DISTRIBUTION_MAP`): an object naming a
    /// member twice is an error, since RFC 8259 leaves its meaning open and a silent "last one wins" hides the typo.
    public static func parse(_ text: String, rejectingDuplicateMembers: Bool) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { bytes in
            Result { () throws(JSONError) -> JSONValue in
                try parse(buffer: bytes, rejectingDuplicateMembers: rejectingDuplicateMembers)
            }
        }
        return try result.get()
    }

    /// `text` as a JSON string literal, quotes included; control characters are escaped, so the output is always
    /// valid JSON whatever the text holds.
    public static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16, uppercase: false)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }

    /// Serialises a value compactly; object members are sorted by key so output is deterministic.
    public static func serialize(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): out += quote(text)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                write(element, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                out += quote(key) + ":"
                write(members[key]!, into: &out)
            }
            out += "}"
        }
    }
}

private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Whether an object naming a member twice is an error (else the last one wins).
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

    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard depth < JSON.maximumDepth else { throw error("nesting deeper than \(JSON.maximumDepth) levels") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(8)
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let keyOffset = index
            let key = try parseString()
            if rejectsDuplicateMembers, members[key] != nil {
                throw JSONError(message: "duplicate member \(JSON.quote(key))", offset: keyOffset)
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            members[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
            index += 1
            return .object(members)
        }
    }

    mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
            index += 1
            return .array(values)
        }
    }

    mutating func parseNumber() throws(JSONError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func parseString() throws(JSONError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw error("string is not valid UTF-8")
                }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("unescaped control character in string") }
            index += 1
        }
        var scratch = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: scratch, as: UTF8.self) else {
                    throw error("string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end of input") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw error("lone surrogate in \\u escape") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("lone surrogate in \\u escape")
                    }
                    scratch.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
                default: throw error("invalid escape")
                }
            default:
                // Copy the run up to the next quote or backslash at once.
                let start = index
                while index < bytes.count {
                    let next = bytes[index]
                    if next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") { break }
                    if next < 0x20 { throw error("unescaped control character in string") }
                    index += 1
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            }
        }
        throw error("unterminated string")
    }

    mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of input") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

/// A validated JSON document kept as a flat list of value positions over its bytes, for readers that need a few
/// fields of large or many documents (an SQS batch of 10,000 messages): nothing is decoded until asked for, and no
/// dictionary or string is built per object.
///
/// Accepts and rejects exactly what `JSON.parse` does, with the same errors at the same offsets; `value(of:)` gives
/// the `JSONValue` that `JSON.parse` would have.
package final class JSONDocument {
    package enum Kind: UInt8 {
        case null, `true`, `false`, number, string, array, object
    }

    struct Entry {
        var kind: Kind
        /// Strings: bit 0 set when the string has escapes, bit 1 when it has bytes outside ASCII.
        var flags: UInt8
        /// Strings: the first byte after the opening quote; numbers: the first byte.
        var start: UInt32
        /// Strings: the closing quote; numbers: the byte after the last; containers: the entry after the last
        /// member's (an object's members are entries in pairs, name then value).
        var end: UInt32
    }

    package let bytes: [UInt8]
    let entries: [Entry]

    /// Parses `bytes`; the document keeps them.
    package init(bytes: [UInt8]) throws(JSONError) {
        var entries: [Entry] = []
        entries.reserveCapacity(bytes.count / 12 + 4)
        let result: Result<[Entry], JSONError> = bytes.withUnsafeBufferPointer { pointer in
            var parser = TapeParser(bytes: pointer, entries: entries)
            entries = []
            do throws(JSONError) {
                parser.skipWhitespace()
                try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                guard parser.index == pointer.count else { throw parser.error("unexpected data after the JSON value") }
            } catch {
                return .failure(error)
            }
            return .success(parser.entries)
        }
        self.bytes = bytes
        self.entries = try result.get()
    }

    /// The top-level value.
    package var root: JSONNode { JSONNode(document: self, index: 0) }

    func next(after index: Int) -> Int {
        let entry = entries[index]
        switch entry.kind {
        case .array, .object: return Int(entry.end)
        default: return index + 1
        }
    }

    /// The index of the value of the member `key` of the object at `index` (the last, when the name repeats), or
    /// nil when there is none or the value is not an object. Names compare as `stringEntry(_:equals:)` compares
    /// them; one pass over the members with the entries and bytes at hand.
    func member(of index: Int, named key: String) -> Int? {
        var key = key
        return key.withUTF8 { utf8 -> Int? in
            entries.withUnsafeBufferPointer { entries -> Int? in
                let entry = entries[index]
                guard entry.kind == .object else { return nil }
                let isASCII = utf8.allSatisfy { $0 < 0x80 }
                return bytes.withUnsafeBufferPointer { bytes -> Int? in
                    var found: Int?
                    var child = index + 1
                    let end = Int(entry.end)
                    while child < end {
                        let name = entries[child]
                        let valueIndex = child + 1
                        if name.flags == 0 {
                            let start = Int(name.start)
                            var equal = Int(name.end) - start == utf8.count
                            if equal {
                                for offset in 0..<utf8.count where bytes[start + offset] != utf8[offset] {
                                    equal = false
                                    break
                                }
                            }
                            if equal {
                                found = valueIndex
                            } else if !isASCII && string(at: child) == String(decoding: utf8, as: UTF8.self) {
                                // Different ASCII spellings are different strings; anything else compares as Swift
                                // compares.
                                found = valueIndex
                            }
                        } else if string(at: child) == String(decoding: utf8, as: UTF8.self) {
                            found = valueIndex
                        }
                        let value = entries[valueIndex]
                        child = value.kind == .array || value.kind == .object ? Int(value.end) : valueIndex + 1
                    }
                    return found
                }
            }
        }
    }

    /// Whether the string entry at `index` is `text` (compared as Swift strings compare).
    func stringEntry(_ index: Int, equals text: String) -> Bool {
        var utf8 = text
        return utf8.withUTF8 { stringEntry(index, equals: text, utf8: $0, isASCII: $0.allSatisfy { $0 < 0x80 }) }
    }

    /// `stringEntry(_:equals:)` with `text`'s UTF-8 at hand.
    func stringEntry(_ index: Int, equals text: String, utf8: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> Bool {
        let entry = entries[index]
        if entry.flags == 0 {
            let start = Int(entry.start)
            if Int(entry.end) - start == utf8.count {
                let equal = bytes.withUnsafeBufferPointer { bytes in
                    for offset in 0..<utf8.count where bytes[start + offset] != utf8[offset] { return false }
                    return true
                }
                if equal { return true }
            }
            // Different ASCII spellings are different strings; anything else compares as Swift compares.
            if isASCII { return false }
        }
        return string(at: index) == text
    }

    /// The decoded string entry at `index`.
    func string(at index: Int) -> String {
        let entry = entries[index]
        if entry.flags & 1 == 0 {
            return String(decoding: bytes[Int(entry.start)..<Int(entry.end)], as: UTF8.self)
        }
        return String(decoding: unescaped(at: index), as: UTF8.self)
    }

    /// The decoded UTF-8 bytes of the string entry at `index`.
    func unescaped(at index: Int) -> [UInt8] {
        let entry = entries[index]
        var index = Int(entry.start)
        let end = Int(entry.end)
        if entry.flags & 1 == 0 { return Array(bytes[index..<end]) }
        // Decoded, a string is never longer than its escaped form.
        return [UInt8](unsafeUninitializedCapacity: end - index) { out, count in
            bytes.withUnsafeBufferPointer { bytes in
                func hex4(_ at: Int) -> UInt32 {
                    var value: UInt32 = 0
                    for offset in 0..<4 {
                        let byte = bytes[at + offset]
                        let digit: UInt32
                        switch byte {
                        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                        default: digit = UInt32(byte - UInt8(ascii: "A") + 10)
                        }
                        value = value << 4 | digit
                    }
                    return value
                }
                var written = 0
                while index < end {
                    guard bytes[index] == UInt8(ascii: "\\") else {
                        // Copy the run up to the next backslash, eight bytes at a time: each block is stored whole
                        // (the output, never longer than the input read so far, has room for it) and counted up
                        // to its first backslash.
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
                                break
                            }
                            index += 8
                            written += 8
                        }
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
    }

    /// The value at `index` as `JSON.parse` gives it.
    func value(at index: Int) -> JSONValue {
        let entry = entries[index]
        switch entry.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .number: return .number(String(decoding: bytes[Int(entry.start)..<Int(entry.end)], as: UTF8.self))
        case .string: return .string(string(at: index))
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
                members[string(at: child)] = value(at: valueIndex)
                child = next(after: valueIndex)
            }
            return .object(members)
        }
    }
}

/// A value inside a `JSONDocument`.
package struct JSONNode {
    package let document: JSONDocument
    let index: Int

    package var kind: JSONDocument.Kind { document.entries[index].kind }

    /// The member `key` of an object (the last, when the name repeats, as `JSONValue` keeps it), or nil for
    /// anything else.
    package subscript(key: String) -> JSONNode? {
        document.member(of: index, named: key).map { JSONNode(document: document, index: $0) }
    }

    /// The string, or nil when the value is not a string.
    package var string: String? {
        guard kind == .string else { return nil }
        return document.string(at: index)
    }

    /// Whether the value is the string `text`.
    package func isString(_ text: String) -> Bool {
        kind == .string && document.stringEntry(index, equals: text)
    }

    /// The string's UTF-8 bytes, decoded, or nil when the value is not a string.
    package var stringBytes: [UInt8]? {
        guard kind == .string else { return nil }
        return document.unescaped(at: index)
    }

    /// A scalar rendered as text (strings as is, numbers as written, booleans); nil for null, arrays, objects.
    package var scalarText: String? {
        let entry = document.entries[index]
        switch entry.kind {
        case .string: return document.string(at: index)
        case .number:
            return String(decoding: document.bytes[Int(entry.start)..<Int(entry.end)], as: UTF8.self)
        case .true: return "true"
        case .false: return "false"
        default: return nil
        }
    }

    /// Appends `scalarText`'s UTF-8, if any, decoded straight from the document.
    package func appendScalarText(to out: inout [UInt8]) {
        let entry = document.entries[index]
        switch entry.kind {
        case .string where entry.flags & 1 != 0: out.append(contentsOf: document.unescaped(at: index))
        case .string, .number: out.append(contentsOf: document.bytes[Int(entry.start)..<Int(entry.end)])
        case .true: out.append(contentsOf: "true".utf8)
        case .false: out.append(contentsOf: "false".utf8)
        default: break
        }
    }

    /// The elements, or nil when the value is not an array.
    package var array: [JSONNode]? {
        let entry = document.entries[index]
        guard entry.kind == .array else { return nil }
        var elements: [JSONNode] = []
        var child = index + 1
        let end = Int(entry.end)
        while child < end {
            elements.append(JSONNode(document: document, index: child))
            child = document.next(after: child)
        }
        return elements
    }

    package var isObject: Bool { kind == .object }

    /// The value as `JSON.parse` gives it.
    package var value: JSONValue { document.value(at: index) }
}

/// `Parser`'s twin that records positions instead of building values; every check and error is the same.
private struct TapeParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var entries: [JSONDocument.Entry]
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, entries: [JSONDocument.Entry]) {
        self.bytes = bytes
        self.entries = entries
    }

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
        entries.append(JSONDocument.Entry(kind: kind, flags: flags, start: UInt32(start), end: UInt32(end)))
    }

    mutating func parseValue(depth: Int) throws(JSONError) {
        guard depth < JSON.maximumDepth else { throw error("nesting deeper than \(JSON.maximumDepth) levels") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try parseObject(depth: depth)
        case UInt8(ascii: "["): try parseArray(depth: depth)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            append(.true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            append(.false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            append(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw error("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONError) {
        index += 1
        let entry = entries.count
        append(.object)
        defer { entries[entry].end = UInt32(entries.count) }
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            try parseValue(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
            index += 1
            return
        }
    }

    mutating func parseArray(depth: Int) throws(JSONError) {
        index += 1
        let entry = entries.count
        append(.array)
        defer { entries[entry].end = UInt32(entries.count) }
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try parseValue(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
            index += 1
            return
        }
    }

    mutating func parseNumber() throws(JSONError) {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        append(.number, 0, start, index)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

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

    /// Validates as `Parser.parseString` does. Decoded, a string is its raw runs with each escape's UTF-8 between
    /// them; an escape decodes to whole characters, so the decoded string is valid UTF-8 exactly when every raw run
    /// is, and the check runs per run (reported where `Parser` reports it: at the closing quote, or after it).
    mutating func parseString() throws(JSONError) {
        index += 1
        let start = index
        var high: UInt8 = 0
        // Fast path: no escapes.
        skipPlainBlocks()
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if high >= 0x80, !isValidUTF8(start, index) { throw error("string is not valid UTF-8") }
                append(.string, high >= 0x80 ? 2 : 0, start, index)
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("unescaped control character in string") }
            high |= byte
            index += 1
        }
        var valid = high < 0x80 || isValidUTF8(start, index)
        var nonASCII = high >= 0x80
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard valid else { throw error("string is not valid UTF-8") }
                append(.string, nonASCII ? 3 : 1, start, index - 1)
                return
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end of input") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    let scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw error("lone surrogate in \\u escape") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate in \\u escape") }
                        nonASCII = true
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("lone surrogate in \\u escape")
                    } else if scalar >= 0x80 {
                        nonASCII = true
                    }
                default: throw error("invalid escape")
                }
            default:
                let start = index
                var runHigh: UInt8 = 0
                skipPlainBlocks()
                while index < bytes.count {
                    let next = bytes[index]
                    if next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") { break }
                    if next < 0x20 { throw error("unescaped control character in string") }
                    runHigh |= next
                    index += 1
                }
                if runHigh >= 0x80 {
                    nonASCII = true
                    if valid { valid = isValidUTF8(start, index) }
                }
            }
        }
        throw error("unterminated string")
    }

    mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of input") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

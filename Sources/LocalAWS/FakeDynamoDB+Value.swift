import JSONSupport

extension FakeDynamoDB {
    /// An attribute value as the fake holds it. The real client's `DynamoDBValue` lives elsewhere; this one is the
    /// fake's own, with the types the fake supports (no binary `B`/`BS`, no number sets `NS`: refused as
    /// unsupported). Numbers keep their text as sent.
    public indirect enum Value: Sendable, Equatable, CustomStringConvertible {
        case string(String)
        case number(String)
        case bool(Bool)
        case null
        case list([Value])
        case map([String: Value])
        case stringSet([String])

        /// The value in DynamoDB's JSON form (`{"S": "…"}`).
        public var json: JSONValue {
            switch self {
            case .string(let text): return .object(["S": .string(text)])
            case .number(let text): return .object(["N": .string(text)])
            case .bool(let flag): return .object(["BOOL": .bool(flag)])
            case .null: return .object(["NULL": .bool(true)])
            case .list(let values): return .object(["L": .array(values.map(\.json))])
            case .map(let members): return .object(["M": .object(members.mapValues(\.json))])
            case .stringSet(let strings): return .object(["SS": .array(strings.map { .string($0) })])
            }
        }

        public var description: String { JSON.serialize(json) }

        /// DynamoDB's name of the type (`S`, `N`, …), as its error messages use it.
        var typeName: String {
            switch self {
            case .string: return "S"
            case .number: return "N"
            case .bool: return "BOOL"
            case .null: return "NULL"
            case .list: return "L"
            case .map: return "M"
            case .stringSet: return "SS"
            }
        }

        /// Parses DynamoDB's JSON form, refusing what DynamoDB refuses: not exactly one type, a number that is not
        /// one, `NULL` false, an empty set or one with duplicates.
        static func decode(_ json: JSONValue) throws(DynamoDBFailure) -> Value {
            guard case .object(let members) = json, members.count == 1, let member = members.first else {
                throw .validation(
                    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
            }
            let (type, payload) = (member.key, member.value)
            switch (type, payload) {
            case ("S", .string(let text)): return .string(text)
            case ("N", .string(let text)):
                try DynamoDBNumber.validate(text)
                return .number(text)
            case ("BOOL", .bool(let flag)): return .bool(flag)
            case ("NULL", .bool(true)): return .null
            case ("NULL", .bool(false)):
                throw .validation(
                    "One or more parameter values were invalid: Null attribute value types must have the value of true")
            case ("L", .array(let elements)):
                var values: [Value] = []
                for element in elements { values.append(try decode(element)) }
                return .list(values)
            case ("M", .object(let members)):
                var values: [String: Value] = [:]
                for (name, member) in members { values[name] = try decode(member) }
                return .map(values)
            case ("SS", .array(let elements)): return try decodeStringSet(elements)
            case ("B", _), ("BS", _), ("NS", _):
                throw .unsupported("attribute values of type \(type)")
            default:
                throw .validation("Supplied AttributeValue has an invalid type or shape: \(type)")
            }
        }

        static func decodeStringSet(_ elements: [JSONValue]) throws(DynamoDBFailure) -> Value {
            var strings: [String] = []
            for element in elements {
                guard case .string(let text) = element else {
                    throw .validation("Supplied AttributeValue has an invalid type or shape: SS")
                }
                strings.append(text)
            }
            guard !strings.isEmpty else {
                throw .validation("One or more parameter values were invalid: An string set  may not be empty")
            }
            guard Set(strings).count == strings.count else {
                throw .validation("Input collection [\(strings.joined(separator: ", "))] contains duplicates.")
            }
            return .stringSet(strings)
        }

        /// DynamoDB's size of the value (its attribute name excluded), as the developer guide's "Item sizes and
        /// formats" describes it: strings their UTF-8 length; numbers 1 byte per two significant digits plus 1;
        /// booleans and nulls 1; lists and maps 3 bytes plus 1 per element plus the elements (a map's names
        /// included); string sets the sum of their strings. Approximate where DynamoDB's own accounting is not
        /// documented to the byte.
        public var size: Int {
            switch self {
            case .string(let text): return text.utf8.count
            case .number(let text): return (DynamoDBNumber.significantDigits(text) + 1) / 2 + 1
            case .bool, .null: return 1
            case .list(let values): return 3 + values.reduce(0) { $0 + 1 + $1.size }
            case .map(let members): return 3 + members.reduce(0) { $0 + 1 + $1.key.utf8.count + $1.value.size }
            case .stringSet(let strings): return strings.reduce(0) { $0 + $1.utf8.count }
            }
        }

        /// The order of two values of one ordered type (strings by UTF-8 bytes, numbers numerically); nil across
        /// types or for unordered types, where DynamoDB's comparisons are false, not errors.
        static func order(_ left: Value, _ right: Value) -> Int? {
            switch (left, right) {
            case (.string(let a), .string(let b)):
                if a == b { return 0 }
                return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
            case (.number(let a), .number(let b)): return DynamoDBNumber.compare(a, b)
            default: return nil
            }
        }

        /// DynamoDB's equality: numbers by value, sets as sets, documents deeply; false across types.
        static func equal(_ left: Value, _ right: Value) -> Bool {
            switch (left, right) {
            case (.string, .string), (.number, .number): return order(left, right) == 0
            case (.bool(let a), .bool(let b)): return a == b
            case (.null, .null): return true
            case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
            case (.map(let a), .map(let b)):
                return a.count == b.count
                    && a.allSatisfy { member in b[member.key].map { equal(member.value, $0) } ?? false }
            case (.stringSet(let a), .stringSet(let b)): return Set(a) == Set(b)
            default: return false
            }
        }
    }

    /// An item: attribute names to values.
    public typealias Item = [String: Value]

    /// The size DynamoDB counts against the 400 KB item limit: each attribute's name (UTF-8) plus its value.
    public static func size(of item: Item) -> Int {
        item.reduce(0) { $0 + $1.key.utf8.count + $1.value.size }
    }

    /// DynamoDB's largest item, 400 KB.
    public static let maximumItemSize = 400 * 1024
}

extension FakeDynamoDB.Item {
    var json: JSONValue { .object(mapValues(\.json)) }
}

/// DynamoDB numbers as text: validated as DynamoDB does (at most 38 significant digits), compared and added
/// exactly for integers that fit 64 bits and as `Double` otherwise (enough for the counters and versions the
/// function keeps; the fake does not implement DynamoDB's 38-digit decimal arithmetic).
enum DynamoDBNumber {
    static func validate(_ text: String) throws(DynamoDBFailure) {
        let bytes = Array(text.utf8)
        var index = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        var digits = 0
        while index < bytes.count, isDigit(bytes[index]) { (index, digits) = (index + 1, digits + 1) }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) { (index, digits) = (index + 1, digits + 1) }
        }
        if digits > 0, index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            if index == start { digits = 0 }
        }
        guard digits > 0, index == bytes.count, Double(text) != nil else {
            throw .validation("A value provided cannot be converted into a number")
        }
        guard significantDigits(text) <= 38 else {
            throw .validation("Attempting to store more than 38 significant digits in a Number")
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The mantissa's digits, leading and trailing zeros trimmed.
    static func significantDigits(_ text: String) -> Int {
        let mantissa = text.utf8.prefix { $0 | 0x20 != UInt8(ascii: "e") }.filter(isDigit)
        let trimmed = mantissa.drop { $0 == UInt8(ascii: "0") }
        return max(1, trimmed.reversed().drop { $0 == UInt8(ascii: "0") }.count)
    }

    static func compare(_ a: String, _ b: String) -> Int {
        if let x = Int64(a), let y = Int64(b) { return x == y ? 0 : (x < y ? -1 : 1) }
        let x = Double(a) ?? 0
        let y = Double(b) ?? 0
        return x == y ? 0 : (x < y ? -1 : 1)
    }

    /// `a + b` (or `a - b`), as text.
    static func add(_ a: String, _ b: String, subtracting: Bool) -> String {
        if let x = Int64(a), let y = Int64(b) {
            let (sum, overflow) = subtracting ? x.subtractingReportingOverflow(y) : x.addingReportingOverflow(y)
            if !overflow { return String(sum) }
        }
        let sum = subtracting ? (Double(a) ?? 0) - (Double(b) ?? 0) : (Double(a) ?? 0) + (Double(b) ?? 0)
        if sum == sum.rounded(), abs(sum) < 1e15 { return String(Int64(sum)) }
        return String(sum)
    }
}

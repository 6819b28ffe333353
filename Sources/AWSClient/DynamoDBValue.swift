import JSONSupport

/// A DynamoDB attribute value as the wire types it.
///
/// The wire form is a one-member object naming the type (`{"S": "text"}`, `{"N": "42"}`, botocore's `AttributeValue`
/// shape). Numbers stay the decimal text the wire carries: DynamoDB numbers have 38 significant digits, more than any
/// Swift number holds, and the callers compare and store them rather than compute. Binary values and number or binary
/// sets are not represented: nothing here writes them, and an item holding one is answered as a malformed response.
public indirect enum DynamoDBValue: Sendable, Equatable, Hashable {
    /// `S`.
    case string(String)
    /// `N`: the decimal text as the wire carries it.
    case number(String)
    /// `BOOL`.
    case bool(Bool)
    /// `NULL` (always sent as `true`).
    case null
    /// `L`.
    case list([DynamoDBValue])
    /// `M`.
    case map([String: DynamoDBValue])
    /// `SS`. DynamoDB refuses an empty set and keeps no order.
    case stringSet([String])

    /// A number from an integer.
    public static func int(_ value: Int64) -> DynamoDBValue { .number(String(value)) }

    /// The text of a `.string`; nil for every other case.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A `.number` holding an integer that fits in 64 bits (`"42"`, `"-7"`); nil for fractions, exponents and every
    /// other case.
    public var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// The elements of a `.list`; nil for every other case.
    public var listValue: [DynamoDBValue]? {
        if case .list(let values) = self { return values }
        return nil
    }

    /// The wire form.
    var json: JSONValue {
        switch self {
        case .string(let value): return .object(["S": .string(value)])
        case .number(let text): return .object(["N": .string(text)])
        case .bool(let value): return .object(["BOOL": .bool(value)])
        case .null: return .object(["NULL": .bool(true)])
        case .list(let values): return .object(["L": .array(values.map(\.json))])
        case .map(let members): return .object(["M": .object(members.mapValues(\.json))])
        case .stringSet(let values): return .object(["SS": .array(values.map(JSONValue.string))])
        }
    }

    /// Reads the wire form; nil for anything else, an unsupported type (`B`, `NS`, `BS`) included.
    init?(json: JSONValue) {
        guard case .object(let members) = json, members.count == 1, let (type, value) = members.first else {
            return nil
        }
        switch (type, value) {
        case ("S", .string(let text)): self = .string(text)
        case ("N", .string(let text)): self = .number(text)
        case ("BOOL", .bool(let flag)): self = .bool(flag)
        case ("NULL", .bool(true)): self = .null
        case ("L", .array(let elements)):
            var values: [DynamoDBValue] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                guard let decoded = DynamoDBValue(json: element) else { return nil }
                values.append(decoded)
            }
            self = .list(values)
        case ("M", .object):
            guard let item = DynamoDBValue.item(json: value) else { return nil }
            self = .map(item)
        case ("SS", .array(let elements)):
            let strings = elements.compactMap(\.string)
            guard strings.count == elements.count else { return nil }
            self = .stringSet(strings)
        default: return nil
        }
    }

    /// Reads an attribute map (an item, a key); nil when it is not an object or a value does not read.
    static func item(json: JSONValue) -> DynamoDBItem? {
        guard case .object(let members) = json else { return nil }
        var item: DynamoDBItem = [:]
        item.reserveCapacity(members.count)
        for (name, value) in members {
            guard let decoded = DynamoDBValue(json: value) else { return nil }
            item[name] = decoded
        }
        return item
    }

    /// An attribute map's wire form.
    static func json(item: DynamoDBItem) -> JSONValue {
        .object(item.mapValues(\.json))
    }
}

/// An item, a key, or the values of an expression: attribute names to values.
public typealias DynamoDBItem = [String: DynamoDBValue]

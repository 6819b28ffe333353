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

import JSONSupport

/// Which `#name` and `:value` placeholders a request's expressions use.
///
/// DynamoDB refuses a request whose `ExpressionAttributeNames` or `ExpressionAttributeValues` hold an entry no
/// expression of that request uses (`ValidationException: Value provided in ExpressionAttributeValues unused in
/// expressions`), and refuses the fields when empty. Callers share one set of names and values across a
/// transaction's actions, so each request, and each action, is sent only what its own expressions reference.
enum DynamoDBPlaceholders {
    /// The placeholders in `expressions`, `#` or `:` included: `#` or `:` followed by letters, digits and `_` (the
    /// characters DynamoDB allows in them).
    static func tokens(in expressions: [String?]) -> Set<String> {
        var tokens: Set<String> = []
        for expression in expressions {
            guard let expression else { continue }
            var current: [UInt8] = []
            for byte in expression.utf8 {
                if !current.isEmpty, isWordByte(byte) {
                    current.append(byte)
                    continue
                }
                if current.count > 1 { tokens.insert(String(decoding: current, as: UTF8.self)) }
                current = byte == UInt8(ascii: "#") || byte == UInt8(ascii: ":") ? [byte] : []
            }
            if current.count > 1 { tokens.insert(String(decoding: current, as: UTF8.self)) }
        }
        return tokens
    }

    /// Adds `ExpressionAttributeNames` and `ExpressionAttributeValues` to `body`, each holding only the entries
    /// `expressions` reference, and each left out when nothing is referenced.
    static func add(
        for expressions: [String?], names: [String: String], values: DynamoDBItem, to body: inout [String: JSONValue]
    ) {
        guard !names.isEmpty || !values.isEmpty else { return }
        let used = tokens(in: expressions)
        let usedNames = names.filter { used.contains($0.key) }
        let usedValues = values.filter { used.contains($0.key) }
        if !usedNames.isEmpty { body["ExpressionAttributeNames"] = .object(usedNames.mapValues(JSONValue.string)) }
        if !usedValues.isEmpty { body["ExpressionAttributeValues"] = DynamoDBValue.json(item: usedValues) }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }
}

import JSONSupport

/// A request's `ExpressionAttributeNames` and `ExpressionAttributeValues`, and which of them its expressions used:
/// DynamoDB refuses empty maps, undefined placeholders and unused entries alike.
struct ExpressionAttributes {
    var names: [String: String]
    var values: [String: FakeDynamoDB.Value]
    var usedNames: Set<String> = []
    var usedValues: Set<String> = []

    init(_ request: JSONValue) throws(DynamoDBFailure) {
        names = [:]
        values = [:]
        if let json = request["ExpressionAttributeNames"] {
            guard case .object(let members) = json, !members.isEmpty else {
                throw .validation("ExpressionAttributeNames must not be empty")
            }
            for (placeholder, name) in members {
                guard placeholder.hasPrefix("#") else {
                    throw .validation(
                        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"\(placeholder)\"")
                }
                guard let name = name.string else {
                    throw .validation("ExpressionAttributeNames values must be strings: \(placeholder)")
                }
                names[placeholder] = name
            }
        }
        if let json = request["ExpressionAttributeValues"] {
            guard case .object(let members) = json, !members.isEmpty else {
                throw .validation("ExpressionAttributeValues must not be empty")
            }
            for (placeholder, value) in members {
                guard placeholder.hasPrefix(":") else {
                    throw .validation(
                        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"\(placeholder)\"")
                }
                values[placeholder] = try FakeDynamoDB.Value.decode(value)
            }
        }
    }

    mutating func name(_ placeholder: String, kind: String) throws(DynamoDBFailure) -> String {
        guard let name = names[placeholder] else {
            throw .validation(
                "Invalid \(kind): An expression attribute name used in the document path is not defined; "
                    + "attribute name: \(placeholder)")
        }
        usedNames.insert(placeholder)
        return name
    }

    mutating func value(_ placeholder: String, kind: String) throws(DynamoDBFailure) -> FakeDynamoDB.Value {
        guard let value = values[placeholder] else {
            throw .validation(
                "Invalid \(kind): An expression attribute value used in expression is not defined; "
                    + "attribute value: \(placeholder)")
        }
        usedValues.insert(placeholder)
        return value
    }

    /// After every expression of the request is parsed: an entry no expression used is an error.
    func checkAllUsed() throws(DynamoDBFailure) {
        let unusedNames = Set(names.keys).subtracting(usedNames)
        if !unusedNames.isEmpty {
            throw .validation(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {"
                    + unusedNames.sorted().joined(separator: ", ") + "}")
        }
        let unusedValues = Set(values.keys).subtracting(usedValues)
        if !unusedValues.isEmpty {
            throw .validation(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {"
                    + unusedValues.sorted().joined(separator: ", ") + "}")
        }
    }
}

/// A recursive-descent parser for the subset of DynamoDB's expression grammar the fake implements, with DynamoDB's
/// precedence (comparisons, `BETWEEN`, `IN` and functions bind tightest, then `NOT`, `AND`, `OR`). What lies outside
/// the subset (nested paths, `contains`, `attribute_type`, `DELETE`) is refused as unsupported, never misread.
struct DynamoDBExpressionParser {
    typealias Condition = DynamoDBExpression.Condition
    typealias Operand = DynamoDBExpression.Operand
    typealias SetValue = DynamoDBExpression.SetValue
    typealias UpdateAction = DynamoDBExpression.UpdateAction

    let kind: String
    let tokens: [DynamoDBExpression.Token]
    var position = 0
    var attributes: ExpressionAttributes

    init(_ text: String, kind: String, attributes: ExpressionAttributes) throws(DynamoDBFailure) {
        self.kind = kind
        self.tokens = try DynamoDBExpression.tokenize(text, kind: kind)
        self.attributes = attributes
        if tokens.count == 1 { throw .validation("Invalid \(kind): The expression can not be empty;") }
    }

    /// Parses a whole condition expression.
    static func condition(
        _ text: String, kind: String = "ConditionExpression", attributes: inout ExpressionAttributes
    ) throws(DynamoDBFailure) -> Condition {
        var parser = try DynamoDBExpressionParser(text, kind: kind, attributes: attributes)
        let condition = try parser.orCondition()
        try parser.expectEnd()
        attributes = parser.attributes
        return condition
    }

    var current: DynamoDBExpression.Token { tokens[position] }

    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = current { return word.uppercased() == keyword }
        return false
    }

    func isSymbol(_ symbol: String) -> Bool { current == .symbol(symbol) }

    func syntaxError() -> DynamoDBFailure {
        .validation("Invalid \(kind): Syntax error; token: \"\(current.text)\"")
    }

    mutating func expectSymbol(_ symbol: String) throws(DynamoDBFailure) {
        guard isSymbol(symbol) else { throw syntaxError() }
        position += 1
    }

    mutating func expectEnd() throws(DynamoDBFailure) {
        guard current == .end else { throw syntaxError() }
    }

    mutating func orCondition() throws(DynamoDBFailure) -> Condition {
        var condition = try andCondition()
        while isKeyword("OR") {
            position += 1
            condition = .or(condition, try andCondition())
        }
        return condition
    }

    mutating func andCondition() throws(DynamoDBFailure) -> Condition {
        var condition = try notCondition()
        while isKeyword("AND") {
            position += 1
            condition = .and(condition, try notCondition())
        }
        return condition
    }

    mutating func notCondition() throws(DynamoDBFailure) -> Condition {
        if isKeyword("NOT") {
            position += 1
            return .not(try notCondition())
        }
        return try primaryCondition()
    }

    /// A parenthesised condition, a function, or a comparison, `BETWEEN` or `IN` on an operand.
    mutating func primaryCondition() throws(DynamoDBFailure) -> Condition {
        if isSymbol("(") {
            position += 1
            let condition = try orCondition()
            try expectSymbol(")")
            return condition
        }
        if case .word(let function) = current, tokens[position + 1] == .symbol("("), function != "size" {
            return try conditionFunction(function)
        }
        let left = try operand()
        if case .symbol(let symbol) = current, let comparator = DynamoDBExpression.Comparator(rawValue: symbol) {
            position += 1
            return .compare(left, comparator, try operand())
        }
        if isKeyword("BETWEEN") {
            position += 1
            let low = try operand()
            guard isKeyword("AND") else { throw syntaxError() }
            position += 1
            let high = try operand()
            if case .value(let lowValue) = low, case .value(let highValue) = high,
                let order = FakeDynamoDB.Value.order(lowValue, highValue), order > 0
            {
                throw .validation(
                    "Invalid \(kind): The BETWEEN operator requires upper bound to be greater than or equal to lower "
                        + "bound; lower bound operand: AttributeValue: \(lowValue), upper bound operand: "
                        + "AttributeValue: \(highValue)")
            }
            return .between(left, low, high)
        }
        if isKeyword("IN") {
            position += 1
            try expectSymbol("(")
            var list = [try operand()]
            while isSymbol(",") {
                position += 1
                list.append(try operand())
            }
            try expectSymbol(")")
            return .oneOf(left, list)
        }
        throw syntaxError()
    }

    mutating func conditionFunction(_ function: String) throws(DynamoDBFailure) -> Condition {
        position += 2
        let condition: Condition
        switch function {
        case "attribute_exists": condition = .exists(try path())
        case "attribute_not_exists": condition = .notExists(try path())
        case "begins_with":
            let subject = Operand.path(try path())
            try expectSymbol(",")
            let prefix = try operand()
            if case .value(let value) = prefix, value.typeName != "S" {
                throw .validation(
                    "Invalid \(kind): Incorrect operand type for operator or function; operator or function: "
                        + "begins_with, operand type: \(value.typeName)")
            }
            condition = .beginsWith(subject, prefix)
        case "contains", "attribute_type":
            throw .unsupported("the function \(function) in \(kind)")
        default:
            throw .validation("Invalid \(kind): Invalid function name; function: \(function)")
        }
        try expectSymbol(")")
        return condition
    }

    /// A path, a `:value` or `size(path)`.
    mutating func operand() throws(DynamoDBFailure) -> Operand {
        switch current {
        case .valuePlaceholder(let placeholder):
            position += 1
            return .value(try attributes.value(placeholder, kind: kind))
        case .word("size") where tokens[position + 1] == .symbol("("):
            position += 2
            let name = try path()
            try expectSymbol(")")
            return .size(name)
        case .word(let function) where tokens[position + 1] == .symbol("("):
            throw .validation("Invalid \(kind): Invalid function name; function: \(function)")
        default:
            return .path(try path())
        }
    }

    /// A top-level attribute name: `#placeholder`, or a bare name that is not a reserved word.
    mutating func path() throws(DynamoDBFailure) -> String {
        switch current {
        case .namePlaceholder(let placeholder):
            position += 1
            return try attributes.name(placeholder, kind: kind)
        case .word(let word):
            if DynamoDBReservedWords.all.contains(word.uppercased()) {
                throw .validation("Invalid \(kind): Attribute name is a reserved keyword; reserved keyword: \(word)")
            }
            position += 1
            return word
        default:
            throw syntaxError()
        }
    }
}

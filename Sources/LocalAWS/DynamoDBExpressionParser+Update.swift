extension DynamoDBExpressionParser {
    /// Parses an update expression: `SET`, `REMOVE` and `ADD` clauses in any order, each at most once, and no path
    /// updated twice ("Two document paths overlap"). `DELETE` is refused as unsupported.
    static func update(
        _ text: String, attributes: inout ExpressionAttributes
    ) throws(DynamoDBFailure) -> [UpdateAction] {
        var parser = try DynamoDBExpressionParser(text, kind: "UpdateExpression", attributes: attributes)
        var actions: [UpdateAction] = []
        var clauses: Set<String> = []
        while parser.current != .end {
            guard case .word(let word) = parser.current else { throw parser.syntaxError() }
            let clause = word.uppercased()
            guard ["SET", "REMOVE", "ADD", "DELETE"].contains(clause) else { throw parser.syntaxError() }
            guard clauses.insert(clause).inserted else {
                throw .validation(
                    "Invalid UpdateExpression: The \"\(clause)\" section can only be used once in an update "
                        + "expression;")
            }
            guard clause != "DELETE" else { throw .unsupported("the DELETE clause of UpdateExpression") }
            parser.position += 1
            repeat {
                if parser.isSymbol(",") { parser.position += 1 }
                actions.append(try parser.updateAction(clause))
            } while parser.isSymbol(",")
        }
        try checkOverlaps(actions)
        attributes = parser.attributes
        return actions
    }

    static func checkOverlaps(_ actions: [UpdateAction]) throws(DynamoDBFailure) {
        var seen: Set<String> = []
        for action in actions where !seen.insert(action.path).inserted {
            throw .validation(
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one "
                    + "of these paths; path one: [\(action.path)], path two: [\(action.path)]")
        }
    }

    mutating func updateAction(_ clause: String) throws(DynamoDBFailure) -> UpdateAction {
        let target = try path()
        switch clause {
        case "SET":
            try expectSymbol("=")
            return .set(target, try setValue())
        case "REMOVE":
            return .remove(target)
        default:
            guard case .valuePlaceholder(let placeholder) = current else { throw syntaxError() }
            position += 1
            let value = try attributes.value(placeholder, kind: kind)
            guard value.typeName == "N" || value.typeName == "SS" else {
                throw .validation(
                    "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
                        + "operand type: \(value.typeName)")
            }
            return .add(target, value)
        }
    }

    /// `operand [+|- operand]`.
    mutating func setValue() throws(DynamoDBFailure) -> SetValue {
        let left = try setOperand()
        if isSymbol("+") || isSymbol("-") {
            let plus = isSymbol("+")
            position += 1
            let right = try setOperand()
            return plus ? .plus(left, right) : .minus(left, right)
        }
        return left
    }

    /// A path, a `:value`, `if_not_exists(path, operand)` or `list_append(operand, operand)`.
    mutating func setOperand() throws(DynamoDBFailure) -> SetValue {
        if case .word(let function) = current, tokens[position + 1] == .symbol("(") {
            position += 2
            let value: SetValue
            switch function {
            case "if_not_exists":
                let name = try path()
                try expectSymbol(",")
                value = .ifNotExists(name, try setOperand())
            case "list_append":
                let first = try setOperand()
                try expectSymbol(",")
                value = .listAppend(first, try setOperand())
            default:
                throw .validation("Invalid UpdateExpression: Invalid function name; function: \(function)")
            }
            try expectSymbol(")")
            return value
        }
        if case .valuePlaceholder(let placeholder) = current {
            position += 1
            return .value(try attributes.value(placeholder, kind: kind))
        }
        return .path(try path())
    }
}

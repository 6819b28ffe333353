/// The parts of DynamoDB's expression language the fake implements, parsed (`DynamoDBExpressionParser`) with
/// placeholders already resolved: paths are top-level attribute names, values are attribute values.
enum DynamoDBExpression {
    typealias Value = FakeDynamoDB.Value

    enum Comparator: String, Sendable {
        case equal = "="
        case notEqual = "<>"
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
    }

    /// What a condition compares: an attribute, a value, or `size(attribute)`.
    enum Operand: Sendable {
        case path(String)
        case value(Value)
        case size(String)
    }

    /// A condition (`ConditionExpression`, `KeyConditionExpression`).
    indirect enum Condition: Sendable {
        case and(Condition, Condition)
        case or(Condition, Condition)
        case not(Condition)
        case compare(Operand, Comparator, Operand)
        case between(Operand, Operand, Operand)
        case oneOf(Operand, [Operand])
        case exists(String)
        case notExists(String)
        case beginsWith(Operand, Operand)
    }

    /// The right-hand side of a `SET` action.
    indirect enum SetValue: Sendable {
        case path(String)
        case value(Value)
        case ifNotExists(String, SetValue)
        case listAppend(SetValue, SetValue)
        case plus(SetValue, SetValue)
        case minus(SetValue, SetValue)
    }

    /// One action of an update expression.
    enum UpdateAction: Sendable {
        case set(String, SetValue)
        case remove(String)
        case add(String, Value)

        var path: String {
            switch self {
            case .set(let path, _), .remove(let path), .add(let path, _): return path
            }
        }
    }

    /// A token of the expression language.
    enum Token: Equatable {
        /// A bare attribute name, a keyword or a function name.
        case word(String)
        /// `#name`.
        case namePlaceholder(String)
        /// `:value`.
        case valuePlaceholder(String)
        /// `( ) , = <> < <= > >= + -`.
        case symbol(String)
        case end

        var text: String {
            switch self {
            case .word(let text), .namePlaceholder(let text), .valuePlaceholder(let text), .symbol(let text):
                return text
            case .end: return "<EOF>"
            }
        }
    }

    /// Splits `text` into tokens; nested paths (`a.b`, `a[0]`) are refused as unsupported, anything else DynamoDB
    /// would not read is a syntax error.
    static func tokenize(_ text: String, kind: String) throws(DynamoDBFailure) -> [Token] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
        }
        func word(from start: Int) -> String {
            var end = start
            while end < scalars.count, isWordScalar(scalars[end]) { end += 1 }
            index = end
            return String(String.UnicodeScalarView(scalars[start..<end]))
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar.properties.isWhitespace {
                index += 1
                continue
            }
            switch scalar {
            case "#", ":":
                let name = word(from: index + 1)
                guard !name.isEmpty else {
                    throw .validation("Invalid \(kind): Syntax error; token: \"\(scalar)\", near: \"\(scalar)\"")
                }
                tokens.append(scalar == "#" ? .namePlaceholder("#" + name) : .valuePlaceholder(":" + name))
            case "(", ")", ",", "=", "+", "-":
                tokens.append(.symbol(String(scalar)))
                index += 1
            case "<", ">":
                let next = index + 1 < scalars.count ? scalars[index + 1] : " "
                if next == "=" || (scalar == "<" && next == ">") {
                    tokens.append(.symbol(String(scalar) + String(next)))
                    index += 2
                } else {
                    tokens.append(.symbol(String(scalar)))
                    index += 1
                }
            case ".", "[", "]":
                throw .unsupported("nested attribute paths (\(text))")
            case _ where isWordScalar(scalar) && !("0"..."9").contains(scalar):
                tokens.append(.word(word(from: index)))
            default:
                throw .validation("Invalid \(kind): Syntax error; token: \"\(scalar)\", near: \"\(text)\"")
            }
        }
        tokens.append(.end)
        return tokens
    }
}

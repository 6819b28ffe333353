extension DynamoDBExpression {
    typealias Item = FakeDynamoDB.Item

    /// The operand's value on `item`; nil when the attribute is missing (or `size` of a type without one), which
    /// makes every comparison false, as DynamoDB's are.
    static func resolve(_ operand: Operand, on item: Item) -> Value? {
        switch operand {
        case .path(let name): return item[name]
        case .value(let value): return value
        case .size(let name):
            switch item[name] {
            case .string(let text)?: return .number(String(text.utf8.count))
            case .list(let values)?: return .number(String(values.count))
            case .map(let members)?: return .number(String(members.count))
            case .stringSet(let strings)?: return .number(String(strings.count))
            default: return nil
            }
        }
    }

    /// Whether `condition` holds on `item` (empty when there is no item). Comparisons across types are false;
    /// `<>` is true for a missing attribute or another type, as in DynamoDB.
    static func evaluate(_ condition: Condition, on item: Item) -> Bool {
        switch condition {
        case .and(let left, let right): return evaluate(left, on: item) && evaluate(right, on: item)
        case .or(let left, let right): return evaluate(left, on: item) || evaluate(right, on: item)
        case .not(let inner): return !evaluate(inner, on: item)
        case .exists(let name): return item[name] != nil
        case .notExists(let name): return item[name] == nil
        case .compare(let left, let comparator, let right):
            return compare(resolve(left, on: item), comparator, resolve(right, on: item))
        case .between(let subject, let low, let high):
            guard let value = resolve(subject, on: item), let lowValue = resolve(low, on: item),
                let highValue = resolve(high, on: item), let above = Value.order(value, lowValue),
                let below = Value.order(value, highValue)
            else { return false }
            return above >= 0 && below <= 0
        case .oneOf(let subject, let list):
            let value = resolve(subject, on: item)
            return list.contains { compare(value, .equal, resolve($0, on: item)) }
        case .beginsWith(let subject, let prefix):
            guard case .string(let text)? = resolve(subject, on: item),
                case .string(let start)? = resolve(prefix, on: item)
            else { return false }
            return text.utf8.starts(with: start.utf8)
        }
    }

    static func compare(_ left: Value?, _ comparator: Comparator, _ right: Value?) -> Bool {
        guard let left, let right else { return comparator == .notEqual }
        switch comparator {
        case .equal: return Value.equal(left, right)
        case .notEqual: return !Value.equal(left, right)
        default:
            guard let order = Value.order(left, right) else { return false }
            switch comparator {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        }
    }

    static let missingAttribute = DynamoDBFailure.validation(
        "The provided expression refers to an attribute that does not exist in the item")
    static let incorrectType = DynamoDBFailure.validation(
        "An operand in the update expression has an incorrect data type")

    /// The item after `actions`: every operand is read from the item as it was before the update (so
    /// `SET a = b, b = a` swaps), as DynamoDB does.
    static func apply(_ actions: [UpdateAction], to old: Item) throws(DynamoDBFailure) -> Item {
        var item = old
        for action in actions {
            switch action {
            case .set(let name, let value): item[name] = try evaluate(value, on: old)
            case .remove(let name): item[name] = nil
            case .add(let name, let value):
                switch (old[name], value) {
                case (nil, _): item[name] = value
                case (.number(let current)?, .number(let increment)):
                    item[name] = .number(DynamoDBNumber.add(current, increment, subtracting: false))
                case (.stringSet(let current)?, .stringSet(let more)):
                    item[name] = .stringSet(current + more.filter { !current.contains($0) })
                default: throw incorrectType
                }
            }
        }
        return item
    }

    static func evaluate(_ value: SetValue, on item: Item) throws(DynamoDBFailure) -> Value {
        switch value {
        case .value(let value): return value
        case .path(let name):
            guard let value = item[name] else { throw missingAttribute }
            return value
        case .ifNotExists(let name, let fallback):
            if let value = item[name] { return value }
            return try evaluate(fallback, on: item)
        case .listAppend(let first, let second):
            guard case .list(let head) = try evaluate(first, on: item),
                case .list(let tail) = try evaluate(second, on: item)
            else { throw incorrectType }
            return .list(head + tail)
        case .plus(let left, let right), .minus(let left, let right):
            guard case .number(let a) = try evaluate(left, on: item),
                case .number(let b) = try evaluate(right, on: item)
            else { throw incorrectType }
            if case .minus = value { return .number(DynamoDBNumber.add(a, b, subtracting: true)) }
            return .number(DynamoDBNumber.add(a, b, subtracting: false))
        }
    }
}

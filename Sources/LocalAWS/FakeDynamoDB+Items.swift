import JSONSupport

extension FakeDynamoDB {
    /// A write checked against the request's rules but not yet against the table: what PutItem, UpdateItem,
    /// DeleteItem and each action of TransactWriteItems do.
    struct PreparedWrite {
        enum Change {
            case put(Item)
            case update([DynamoDBExpression.UpdateAction])
            case delete
            case check
        }
        var table: String
        var key: ItemKey
        /// The key attributes alone (an update of a missing item starts from them).
        var keyItem: Item
        var condition: DynamoDBExpression.Condition?
        var change: Change
        /// `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`.
        var returnsOldOnFailure: Bool
    }

    /// The parameters every write accepts besides its own.
    static let writeParameters: Set<String> = [
        "TableName", "ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
        "ReturnValuesOnConditionCheckFailure",
    ]
    static let singleWriteParameters: Set<String> = writeParameters.union([
        "ReturnValues", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics",
    ])
}

extension FakeDynamoDB.State {
    typealias Item = FakeDynamoDB.Item
    typealias PreparedWrite = FakeDynamoDB.PreparedWrite

    /// Refuses a parameter the fake does not implement (legacy `Expected`, `AttributeUpdates`, …, projections,
    /// filters, indexes) rather than ignore it.
    func allow(_ request: JSONValue, _ parameters: Set<String>, in context: String) throws(DynamoDBFailure) {
        guard case .object(let members) = request else {
            throw DynamoDBFailure(
                type: "com.amazon.coral.service#SerializationException", message: "\(context) is not a JSON object")
        }
        for name in members.keys.sorted() where !parameters.contains(name) {
            throw .unsupported("the parameter \(name) of \(context)")
        }
        for name in ["ReturnConsumedCapacity", "ReturnItemCollectionMetrics"] {
            if let value = request[name], value != .string("NONE") {
                throw .unsupported("\(name) other than NONE")
            }
        }
    }

    func table(of request: JSONValue) throws(DynamoDBFailure) -> FakeDynamoDB.Table {
        guard let name = request["TableName"]?.string else {
            throw .validation(
                "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
                    + "Member must not be null")
        }
        guard let table = tables[name] else { throw .resourceNotFound }
        return table
    }

    func decodeItem(_ json: JSONValue?, parameter: String) throws(DynamoDBFailure) -> Item {
        guard case .object(let members)? = json else {
            throw .validation(
                "1 validation error detected: Value null at '\(parameter)' failed to satisfy "
                    + "constraint: Member must not be null")
        }
        var item: Item = [:]
        for (name, value) in members { item[name] = try FakeDynamoDB.Value.decode(value) }
        return item
    }

    /// A `Key`: exactly the table's key attributes, strings, not empty.
    func key(
        _ json: JSONValue?, in table: FakeDynamoDB.Table
    ) throws(DynamoDBFailure) -> (FakeDynamoDB.ItemKey, Item) {
        let key = try decodeItem(json, parameter: "key")
        guard Set(key.keys) == table.keyNames, let itemKey = table.key(of: key) else {
            throw .validation("The provided key element does not match the schema")
        }
        try checkKeyNotEmpty(key, table)
        return (itemKey, key)
    }

    /// An `Item`: the key attributes present, strings, not empty; the whole within 400 KB.
    func item(
        _ json: JSONValue?, in table: FakeDynamoDB.Table
    ) throws(DynamoDBFailure) -> (FakeDynamoDB.ItemKey, Item) {
        let item = try decodeItem(json, parameter: "item")
        for name in table.keyNames.sorted() {
            guard let value = item[name] else {
                throw .validation("One or more parameter values were invalid: Missing the key \(name) in the item")
            }
            guard case .string = value else {
                throw .validation(
                    "One or more parameter values were invalid: Type mismatch for key \(name) expected: S actual: "
                        + value.typeName)
            }
        }
        try checkKeyNotEmpty(item, table)
        try checkSize(item)
        return (table.key(of: item)!, item)
    }

    func checkKeyNotEmpty(_ item: Item, _ table: FakeDynamoDB.Table) throws(DynamoDBFailure) {
        for name in table.keyNames where item[name] == .string("") {
            throw .validation(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
                    + "an empty string value. Key: \(name)")
        }
    }

    func checkSize(_ item: Item) throws(DynamoDBFailure) {
        guard FakeDynamoDB.size(of: item) <= FakeDynamoDB.maximumItemSize else {
            throw .validation("Item size has exceeded the maximum allowed size")
        }
    }

    /// Checks `request` (one write, or one action of a transaction) and parses its expressions.
    func prepare(
        _ request: JSONValue, operation: String, parameters: Set<String>
    ) throws(DynamoDBFailure) -> PreparedWrite {
        let table = try table(of: request)
        var attributes = try ExpressionAttributes(request)
        let key: FakeDynamoDB.ItemKey
        let keyItem: Item
        let change: PreparedWrite.Change
        switch operation {
        case "Put":
            try allow(request, parameters.union(["Item"]), in: operation)
            let put = try self.item(request["Item"], in: table)
            key = put.0
            keyItem = put.1.filter { table.keyNames.contains($0.key) }
            change = .put(put.1)
        case "Update":
            try allow(request, parameters.union(["Key", "UpdateExpression"]), in: operation)
            let parsed = try self.key(request["Key"], in: table)
            key = parsed.0
            keyItem = parsed.1
            guard let text = request["UpdateExpression"]?.string else {
                throw .unsupported("an update without UpdateExpression")
            }
            let actions = try DynamoDBExpressionParser.update(text, attributes: &attributes)
            for action in actions where table.keyNames.contains(action.path) {
                throw .validation(
                    "One or more parameter values were invalid: Cannot update attribute \(action.path). This "
                        + "attribute is part of the key")
            }
            change = .update(actions)
        default:
            try allow(request, parameters.union(["Key"]), in: operation)
            let parsed = try self.key(request["Key"], in: table)
            key = parsed.0
            keyItem = parsed.1
            change = operation == "Delete" ? .delete : .check
        }
        var condition: DynamoDBExpression.Condition?
        if let json = request["ConditionExpression"] {
            guard let text = json.string else { throw .validation("ConditionExpression must be a string") }
            condition = try DynamoDBExpressionParser.condition(text, attributes: &attributes)
        }
        if operation == "ConditionCheck", condition == nil {
            throw .validation("ConditionCheck requires a ConditionExpression")
        }
        try attributes.checkAllUsed()
        let onFailure = request["ReturnValuesOnConditionCheckFailure"]?.string ?? "NONE"
        guard onFailure == "NONE" || onFailure == "ALL_OLD" else {
            throw .validation("ReturnValuesOnConditionCheckFailure must be NONE or ALL_OLD")
        }
        return PreparedWrite(
            table: table.name, key: key, keyItem: keyItem, condition: condition, change: change,
            returnsOldOnFailure: onFailure == "ALL_OLD")
    }

    /// The item before and after `write` on the current table (nil: none); throws `ConditionalCheckFailedException`
    /// when the condition is false, a ValidationException when the update cannot apply.
    func outcome(of write: PreparedWrite) throws(DynamoDBFailure) -> (old: Item?, new: Item?) {
        let old = tables[write.table]?[write.key]
        if let condition = write.condition, !DynamoDBExpression.evaluate(condition, on: old ?? [:]) {
            var failure = DynamoDBFailure.conditionalCheckFailed
            if write.returnsOldOnFailure, let old { failure.extra["Item"] = old.json }
            throw failure
        }
        switch write.change {
        case .put(let item): return (old, item)
        case .delete: return (old, nil)
        case .check: return (old, old)
        case .update(let actions):
            let new = try DynamoDBExpression.apply(actions, to: old ?? write.keyItem)
            try checkSize(new)
            return (old, new)
        }
    }

    func commit(_ write: PreparedWrite, _ new: Item?) {
        if case .check = write.change { return }
        tables[write.table]?[write.key] = new
    }
}

import JSONSupport

extension FakeDynamoDB.State {
    func getItem(_ request: JSONValue) throws(DynamoDBFailure) -> JSONValue {
        try allow(request, ["TableName", "Key", "ConsistentRead", "ReturnConsumedCapacity"], in: "GetItem")
        let table = try table(of: request)
        let (key, _) = try key(request["Key"], in: table)
        if let consistent = request["ConsistentRead"], !Self.isBool(consistent) {
            throw .validation("ConsistentRead must be a boolean")
        }
        guard let item = table[key] else { return .object([:]) }
        return .object(["Item": item.json])
    }

    func putItem(_ request: JSONValue) throws(DynamoDBFailure) -> JSONValue {
        let returnValues = try self.returnValues(request, allowed: ["NONE", "ALL_OLD"])
        let write = try prepare(request, operation: "Put", parameters: FakeDynamoDB.singleWriteParameters)
        let (old, new) = try outcome(of: write)
        commit(write, new)
        guard returnValues == "ALL_OLD", let old else { return .object([:]) }
        return .object(["Attributes": old.json])
    }

    func deleteItem(_ request: JSONValue) throws(DynamoDBFailure) -> JSONValue {
        let returnValues = try self.returnValues(request, allowed: ["NONE", "ALL_OLD"])
        let write = try prepare(request, operation: "Delete", parameters: FakeDynamoDB.singleWriteParameters)
        let (old, new) = try outcome(of: write)
        commit(write, new)
        guard returnValues == "ALL_OLD", let old else { return .object([:]) }
        return .object(["Attributes": old.json])
    }

    /// UpdateItem, answering `ReturnValues`: `ALL_OLD`/`ALL_NEW` the whole item before or after, `UPDATED_OLD`/
    /// `UPDATED_NEW` only the attributes the expression names (those that exist), nothing for `NONE`.
    func updateItem(_ request: JSONValue) throws(DynamoDBFailure) -> JSONValue {
        let returnValues = try self.returnValues(
            request, allowed: ["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
        let write = try prepare(request, operation: "Update", parameters: FakeDynamoDB.singleWriteParameters)
        let (old, new) = try outcome(of: write)
        commit(write, new)
        guard case .update(let actions) = write.change else { return .object([:]) }
        let updated = Set(actions.map(\.path))
        let attributes: Item?
        switch returnValues {
        case "ALL_OLD": attributes = old
        case "ALL_NEW": attributes = new
        case "UPDATED_OLD": attributes = old?.filter { updated.contains($0.key) }
        case "UPDATED_NEW": attributes = new?.filter { updated.contains($0.key) }
        default: attributes = nil
        }
        guard let attributes, !attributes.isEmpty else { return .object([:]) }
        return .object(["Attributes": attributes.json])
    }

    func returnValues(_ request: JSONValue, allowed: [String]) throws(DynamoDBFailure) -> String {
        guard let json = request["ReturnValues"] else { return "NONE" }
        guard let value = json.string, allowed.contains(value) else {
            throw .validation("ReturnValues can only be \(allowed.joined(separator: " or ")) for this operation")
        }
        return value
    }
}

extension FakeDynamoDB.State {
    static func isBool(_ value: JSONValue) -> Bool {
        if case .bool = value { return true }
        return false
    }
}

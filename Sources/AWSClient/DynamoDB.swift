import JSONSupport

/// DynamoDB's JSON 1.0 API (`DynamoDB_20120810.<Operation>`): single items, queries and write transactions, with
/// expressions only (not the legacy `Expected` / `AttributeUpdates` parameters).
///
/// Shapes are botocore's `dynamodb/2012-08-10` model. Every call sends only the `#names` and `:values` its own
/// expressions use (`DynamoDBPlaceholders`), so callers can keep one set for a whole piece of work. A failed condition
/// is an `AWSError` with `isConditionalCheckFailure`; it is never retried.
public struct DynamoDBClient: AWSServiceAPI {
    public static let service = AWSService.dynamoDB
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.json
    public let client: AWSServiceClient

    /// Most actions one `TransactWriteItems` takes (botocore's `TransactWriteItemList`, max 100).
    public static let maximumTransactionActions = 100
    /// `ClientRequestToken` length (botocore's `ClientRequestToken`, 1 to 36).
    public static let maximumClientRequestTokenLength = 36

    /// Over a configured service client (one with another request timeout, say).
    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `GetItem`: the item with this primary key, or nil when there is none. Strongly consistent unless asked.
    public func getItem(
        table: String, key: DynamoDBItem, consistentRead: Bool = true, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> DynamoDBItem? {
        let document = try await call(
            "GetItem",
            [
                "TableName": .string(table), "Key": DynamoDBValue.json(item: key),
                "ConsistentRead": .bool(consistentRead),
            ], context: context)
        guard let item = document["Item"] else { return nil }
        return try decodeItem(item, field: "Item", operation: "GetItem")
    }

    /// `PutItem`: writes the whole item, when `condition` (if any) holds.
    public func putItem(
        table: String, item: DynamoDBItem, condition: String? = nil, names: [String: String] = [:],
        values: DynamoDBItem = [:], context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) {
        var body: [String: JSONValue] = ["TableName": .string(table), "Item": DynamoDBValue.json(item: item)]
        if let condition { body["ConditionExpression"] = .string(condition) }
        DynamoDBPlaceholders.add(for: [condition], names: names, values: values, to: &body)
        _ = try await call("PutItem", body, context: context)
    }

    /// `UpdateItem`: applies `update` to the item (creating it when absent), when `condition` (if any) holds.
    /// `ReturnValues` is `ALL_NEW` when `returnNewValues`, answering the item as written; else `NONE`, answering nil.
    public func updateItem(
        table: String, key: DynamoDBItem, update: String, condition: String? = nil, names: [String: String] = [:],
        values: DynamoDBItem = [:], returnNewValues: Bool = false, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> DynamoDBItem? {
        var body: [String: JSONValue] = [
            "TableName": .string(table), "Key": DynamoDBValue.json(item: key), "UpdateExpression": .string(update),
            "ReturnValues": .string(returnNewValues ? "ALL_NEW" : "NONE"),
        ]
        if let condition { body["ConditionExpression"] = .string(condition) }
        DynamoDBPlaceholders.add(for: [update, condition], names: names, values: values, to: &body)
        let document = try await call("UpdateItem", body, context: context)
        guard returnNewValues else { return nil }
        guard let attributes = document["Attributes"] else { return [:] }
        return try decodeItem(attributes, field: "Attributes", operation: "UpdateItem")
    }

    /// `DeleteItem`: removes the item (succeeding when there is none), when `condition` (if any) holds.
    public func deleteItem(
        table: String, key: DynamoDBItem, condition: String? = nil, names: [String: String] = [:],
        values: DynamoDBItem = [:], context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) {
        var body: [String: JSONValue] = ["TableName": .string(table), "Key": DynamoDBValue.json(item: key)]
        if let condition { body["ConditionExpression"] = .string(condition) }
        DynamoDBPlaceholders.add(for: [condition], names: names, values: values, to: &body)
        _ = try await call("DeleteItem", body, context: context)
    }

    /// `Query`: one page of the items matching `keyCondition`, in sort-key order. `limit` (at least 1) caps the items
    /// DynamoDB evaluates for the page.
    public func query(
        table: String, keyCondition: String, names: [String: String] = [:], values: DynamoDBItem = [:],
        consistentRead: Bool = true, exclusiveStartKey: DynamoDBItem? = nil, limit: Int? = nil,
        context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> DynamoDBQueryPage {
        var body: [String: JSONValue] = [
            "TableName": .string(table), "KeyConditionExpression": .string(keyCondition),
            "ConsistentRead": .bool(consistentRead),
        ]
        if let exclusiveStartKey { body["ExclusiveStartKey"] = DynamoDBValue.json(item: exclusiveStartKey) }
        if let limit {
            guard limit >= 1 else { throw invalid("Query", "limit must be at least 1 (got \(limit))") }
            body["Limit"] = .number(String(limit))
        }
        DynamoDBPlaceholders.add(for: [keyCondition], names: names, values: values, to: &body)
        let document = try await call("Query", body, context: context)
        var items: [DynamoDBItem] = []
        if let list = document["Items"] {
            guard let elements = list.array else { throw malformed("Query", "Items is not a list") }
            for element in elements { items.append(try decodeItem(element, field: "Items", operation: "Query")) }
        }
        var lastEvaluatedKey: DynamoDBItem?
        if let key = document["LastEvaluatedKey"] {
            lastEvaluatedKey = try decodeItem(key, field: "LastEvaluatedKey", operation: "Query")
        }
        return DynamoDBQueryPage(items: items, lastEvaluatedKey: lastEvaluatedKey)
    }

    /// Every page of a `Query`, following `LastEvaluatedKey` until there is none.
    public func queryAll(
        table: String, keyCondition: String, names: [String: String] = [:], values: DynamoDBItem = [:],
        consistentRead: Bool = true, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> [DynamoDBItem] {
        var items: [DynamoDBItem] = []
        var start: DynamoDBItem?
        repeat {
            let page = try await query(
                table: table, keyCondition: keyCondition, names: names, values: values,
                consistentRead: consistentRead, exclusiveStartKey: start, context: context)
            items += page.items
            // A key that does not move on would page forever.
            if let next = page.lastEvaluatedKey, next == start {
                throw malformed("Query", "LastEvaluatedKey repeats the ExclusiveStartKey")
            }
            start = page.lastEvaluatedKey
        } while start != nil
        return items
    }

    /// `TransactWriteItems`: every action or none (1 to 100 actions, each on a different item). `names` and `values`
    /// are shared by every action's expressions; each action is sent only those its own expressions use. The same
    /// `clientRequestToken` (1 to 36 characters) within 10 minutes makes a repeat a no-op that succeeds.
    public func transactWriteItems(
        _ writes: [DynamoDBWrite], names: [String: String] = [:], values: DynamoDBItem = [:],
        clientRequestToken: String? = nil, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) {
        guard (1...Self.maximumTransactionActions).contains(writes.count) else {
            throw invalid(
                "TransactWriteItems",
                "a transaction takes 1 to \(Self.maximumTransactionActions) actions (got \(writes.count))")
        }
        var body: [String: JSONValue] = [
            "TransactItems": .array(writes.map { .object([$0.member: Self.action($0, names: names, values: values)]) })
        ]
        if let clientRequestToken {
            guard (1...Self.maximumClientRequestTokenLength).contains(clientRequestToken.count) else {
                throw invalid(
                    "TransactWriteItems",
                    "clientRequestToken must be 1 to \(Self.maximumClientRequestTokenLength) characters")
            }
            body["ClientRequestToken"] = .string(clientRequestToken)
        }
        _ = try await call("TransactWriteItems", body, context: context)
    }

    /// `DescribeTable`: the table's status (`ACTIVE`, `CREATING`…) and key schema, `(attribute, HASH or RANGE)`.
    public func describeTable(
        table: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> (status: String, keySchema: [(name: String, type: String)]) {
        let document = try await call("DescribeTable", ["TableName": .string(table)], context: context)
        guard let description = document["Table"] else { throw malformed("DescribeTable", "response has no Table") }
        let keys = (description["KeySchema"]?.array ?? []).map {
            (name: $0["AttributeName"]?.string ?? "", type: $0["KeyType"]?.string ?? "")
        }
        return (description["TableStatus"]?.string ?? "", keys)
    }

    /// `DescribeTimeToLive`: its status (`ENABLED`, `DISABLED`, `ENABLING`…) and attribute, nil when none is set.
    public func describeTimeToLive(
        table: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> (status: String, attribute: String?) {
        let document = try await call("DescribeTimeToLive", ["TableName": .string(table)], context: context)
        let description = document["TimeToLiveDescription"]
        return (description?["TimeToLiveStatus"]?.string ?? "", description?["AttributeName"]?.string)
    }

    /// One action's `Put`, `Update`, `Delete` or `ConditionCheck` structure.
    static func action(_ write: DynamoDBWrite, names: [String: String], values: DynamoDBItem) -> JSONValue {
        var body: [String: JSONValue]
        var condition: String?
        var update: String?
        switch write {
        case .put(let table, let item, let putCondition):
            body = ["TableName": .string(table), "Item": DynamoDBValue.json(item: item)]
            condition = putCondition
        case .update(let table, let key, let expression, let updateCondition):
            body = ["TableName": .string(table), "Key": DynamoDBValue.json(item: key)]
            (update, condition) = (expression, updateCondition)
        case .delete(let table, let key, let deleteCondition):
            body = ["TableName": .string(table), "Key": DynamoDBValue.json(item: key)]
            condition = deleteCondition
        case .conditionCheck(let table, let key, let check):
            body = ["TableName": .string(table), "Key": DynamoDBValue.json(item: key)]
            condition = check
        }
        if let update { body["UpdateExpression"] = .string(update) }
        if let condition { body["ConditionExpression"] = .string(condition) }
        DynamoDBPlaceholders.add(for: [update, condition], names: names, values: values, to: &body)
        return .object(body)
    }

    /// One JSON 1.0 call.
    private func call(
        _ operation: String, _ body: [String: JSONValue], context: AWSCallContext
    ) async throws(AWSError) -> JSONValue {
        try await client.sendJSON(
            operation: operation, target: "DynamoDB_20120810." + operation, body: .object(body), jsonVersion: .v10,
            context: context)
    }

    private func decodeItem(_ json: JSONValue, field: String, operation: String) throws(AWSError) -> DynamoDBItem {
        guard let item = DynamoDBValue.item(json: json) else {
            throw malformed(
                operation, "\(field) is not an attribute map of supported types (S, N, BOOL, NULL, L, M, SS)")
        }
        return item
    }

    private func malformed(_ operation: String, _ message: String) -> AWSError {
        AWSError(
            kind: .malformedResponse, code: "MalformedResponse", message: message, service: "dynamodb",
            operation: operation)
    }

    private func invalid(_ operation: String, _ message: String) -> AWSError {
        AWSError(
            kind: .invalidRequest, code: "InvalidParameter", message: message, service: "dynamodb", operation: operation
        )
    }
}

import JSONSupport

extension FakeDynamoDB {
    /// Where a Query page ends for its size: DynamoDB reads at most 1 MB per request.
    public static let maximumQueryPageSize = 1024 * 1024
}

extension FakeDynamoDB.State {
    static let queryParameters: Set<String> = [
        "TableName", "KeyConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues",
        "ConsistentRead", "Limit", "ExclusiveStartKey", "ScanIndexForward", "ReturnConsumedCapacity",
    ]

    /// Query on the table's keys: items of one partition, in sort-key order (UTF-8 bytes; reversed when
    /// `ScanIndexForward` is false), from after `ExclusiveStartKey`, ending at `Limit` items or before the item that
    /// would take the page past 1 MB of item data (`FakeDynamoDB.size(of:)`); `LastEvaluatedKey` names the page's
    /// last item whenever the page ended there (at `Limit` even when nothing follows, as DynamoDB does).
    func query(_ request: JSONValue) throws(DynamoDBFailure) -> JSONValue {
        try allow(request, Self.queryParameters, in: "Query")
        let table = try table(of: request)
        var attributes = try ExpressionAttributes(request)
        guard let text = request["KeyConditionExpression"]?.string else {
            throw .unsupported("Query without KeyConditionExpression")
        }
        let condition = try DynamoDBExpressionParser.condition(
            text, kind: "KeyConditionExpression", attributes: &attributes)
        try attributes.checkAllUsed()
        let (partition, sortCondition) = try keyCondition(condition, in: table)
        let limit = try queryLimit(request)
        for name in ["ConsistentRead", "ScanIndexForward"] {
            if let value = request[name], !Self.isBool(value) { throw .validation("\(name) must be a boolean") }
        }
        let forward = request["ScanIndexForward"] != .bool(false)
        let items = table.partitions[partition] ?? [:]
        var sorts = items.keys.filter { sort in
            sortCondition.map { DynamoDBExpression.evaluate($0, on: items[sort]!) } ?? true
        }.sorted(by: Self.utf8Less)
        if !forward { sorts.reverse() }
        if let start = request["ExclusiveStartKey"] {
            let (startKey, _) = try key(start, in: table)
            guard startKey.partition == partition else {
                throw .validation("The provided starting key is invalid: it is not in the queried partition")
            }
            sorts = sorts.filter { forward ? Self.utf8Less(startKey.sort, $0) : Self.utf8Less($0, startKey.sort) }
        }
        var page: [FakeDynamoDB.Item] = []
        var bytes = 0
        var truncated = false
        for sort in sorts {
            let item = items[sort]!
            let size = FakeDynamoDB.size(of: item)
            if bytes + size > FakeDynamoDB.maximumQueryPageSize, !page.isEmpty {
                truncated = true
                break
            }
            page.append(item)
            bytes += size
            if let limit, page.count == limit {
                truncated = true
                break
            }
        }
        var answer: [String: JSONValue] = [
            "Items": .array(page.map(\.json)), "Count": .number(String(page.count)),
            "ScannedCount": .number(String(page.count)),
        ]
        if truncated, let last = page.last {
            answer["LastEvaluatedKey"] = last.filter { table.keyNames.contains($0.key) }.json
        }
        return .object(answer)
    }

    func queryLimit(_ request: JSONValue) throws(DynamoDBFailure) -> Int? {
        guard let json = request["Limit"] else { return nil }
        guard case .number(let text) = json, let limit = Int(text), limit >= 1 else {
            throw .validation(
                "1 validation error detected: Value '\(JSON.serialize(json))' at 'limit' failed to satisfy "
                    + "constraint: Member must have value greater than or equal to 1")
        }
        return limit
    }

    /// The partition a key condition names, and its condition on the sort key: `pk = :v`, optionally `AND` one of
    /// `sk <op> :v` (not `<>`), `sk BETWEEN :a AND :b`, `begins_with(sk, :p)`, in either order.
    func keyCondition(
        _ condition: DynamoDBExpression.Condition, in table: FakeDynamoDB.Table
    ) throws(DynamoDBFailure) -> (String, DynamoDBExpression.Condition?) {
        let parts: [DynamoDBExpression.Condition]
        if case .and(let left, let right) = condition { parts = [left, right] } else { parts = [condition] }
        var partition: String?
        var sort: DynamoDBExpression.Condition?
        for part in parts {
            switch part {
            case .compare(.path(let name), .equal, .value(let value)) where name == table.partitionKey:
                guard case .string(let text) = value, partition == nil else { throw Self.keyConditionMismatch }
                partition = text
            case .compare(.path(let name), let comparator, .value(let value))
            where name == table.sortKey && comparator != .notEqual && sort == nil:
                guard case .string = value else { throw Self.keyConditionMismatch }
                sort = part
            case .between(.path(let name), .value(.string), .value(.string)) where name == table.sortKey && sort == nil,
                .beginsWith(.path(let name), .value(.string)) where name == table.sortKey && sort == nil:
                sort = part
            case .and: throw .validation("Invalid KeyConditionExpression: Conditions can be of length 1 or 2 only")
            case .or, .not, .oneOf:
                throw .validation("Invalid operator used in KeyConditionExpression")
            default:
                throw .validation("Query key condition not supported")
            }
        }
        guard let partition else {
            throw .validation("Query condition missed key schema element: \(table.partitionKey)")
        }
        return (partition, sort)
    }

    static let keyConditionMismatch = DynamoDBFailure.validation(
        "One or more parameter values were invalid: Condition parameter type does not match schema type")
}

/// One page of a `Query`: its items, and where the next page starts (nil on the last page). DynamoDB stops a page at
/// 1 MB or at the request's `Limit`, so a page can be short, even empty, and still not be the last.
public struct DynamoDBQueryPage: Sendable, Equatable {
    public var items: [DynamoDBItem]
    /// `LastEvaluatedKey`: pass it as `exclusiveStartKey` to read on.
    public var lastEvaluatedKey: DynamoDBItem?

    public init(items: [DynamoDBItem], lastEvaluatedKey: DynamoDBItem?) {
        self.items = items
        self.lastEvaluatedKey = lastEvaluatedKey
    }
}

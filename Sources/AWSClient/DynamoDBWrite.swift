/// One action of `TransactWriteItems` (botocore's `TransactWriteItem`: exactly one of `Put`, `Update`, `Delete`,
/// `ConditionCheck`). Expressions refer to the `#names` and `:values` passed to the transaction as a whole.
public enum DynamoDBWrite: Sendable, Equatable {
    case put(table: String, item: DynamoDBItem, condition: String? = nil)
    case update(table: String, key: DynamoDBItem, update: String, condition: String? = nil)
    case delete(table: String, key: DynamoDBItem, condition: String? = nil)
    case conditionCheck(table: String, key: DynamoDBItem, condition: String)

    /// The member name of `TransactWriteItem` this action is sent as.
    var member: String {
        switch self {
        case .put: return "Put"
        case .update: return "Update"
        case .delete: return "Delete"
        case .conditionCheck: return "ConditionCheck"
        }
    }
}

import FoundationEssentials
import JSONSupport

extension FakeDynamoDB {
    /// DynamoDB's largest transaction.
    public static let maximumTransactionActions = 100
    /// How long DynamoDB remembers a `ClientRequestToken`.
    public static let clientRequestTokenWindow: Double = 600
}

extension FakeDynamoDB.State {
    static let actionNames: Set<String> = ["Put", "Update", "Delete", "ConditionCheck"]

    /// TransactWriteItems: every action checked first (a ValidationException refuses the whole request), then
    /// every condition evaluated on the current items; all are applied, or none and `TransactionCanceledException`
    /// gives one reason per action, in order. A `ClientRequestToken` seen in the last 10 minutes with the same
    /// request answers success without doing the work again; with another request,
    /// `IdempotentParameterMismatchException`.
    func transactWriteItems(_ request: JSONValue) throws(DynamoDBFailure) -> JSONValue {
        try allow(
            request, ["TransactItems", "ClientRequestToken", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics"],
            in: "TransactWriteItems")
        let writes = try prepareTransaction(request)
        let token = request["ClientRequestToken"]?.string
        let now = clock.now()
        if let token, let seen = tokens[token],
            now.timeIntervalSince(seen.time) < FakeDynamoDB.clientRequestTokenWindow
        {
            guard seen.request == JSON.serialize(request) else {
                throw .service(
                    "IdempotentParameterMismatchException",
                    "Request parameters do not match the parameters of the earlier request with this token")
            }
            return .object([:])
        }
        var outcomes: [FakeDynamoDB.Item?] = []
        var reasons: [JSONValue] = []
        var cancelled = false
        for write in writes {
            do {
                outcomes.append(try outcome(of: write).new)
                reasons.append(.object(["Code": .string("None")]))
            } catch {
                cancelled = true
                outcomes.append(nil)
                var reason: [String: JSONValue] = [
                    "Code": .string(Self.reasonCode(error)),
                    "Message": .string(error.message),
                ]
                if let item = error.extra["Item"] { reason["Item"] = item }
                reasons.append(.object(reason))
            }
        }
        guard !cancelled else { throw Self.cancellation(reasons) }
        for (write, new) in zip(writes, outcomes) { commit(write, new) }
        if let token { tokens[token] = (JSON.serialize(request), now) }
        return .object([:])
    }

    /// A cancellation reason's code, as DynamoDB names them.
    static func reasonCode(_ failure: DynamoDBFailure) -> String {
        switch failure.code {
        case "ConditionalCheckFailedException": return "ConditionalCheckFailed"
        case "ValidationException": return "ValidationError"
        default: return String(failure.code)
        }
    }

    static func cancellation(_ reasons: [JSONValue]) -> DynamoDBFailure {
        let codes = reasons.map { $0["Code"]?.string ?? "None" }
        return DynamoDBFailure(
            type: DynamoDBFailure.namespace + "TransactionCanceledException",
            message: "Transaction cancelled, please refer cancellation reasons for specific reasons ["
                + codes.joined(separator: ", ") + "]",
            messageKey: "Message", extra: ["CancellationReasons": .array(reasons)])
    }

    /// The actions, checked: 1 to 100 of them, each exactly one of Put, Update, Delete, ConditionCheck, no item
    /// twice.
    func prepareTransaction(_ request: JSONValue) throws(DynamoDBFailure) -> [FakeDynamoDB.PreparedWrite] {
        guard let actions = request["TransactItems"]?.array, !actions.isEmpty else {
            throw .validation(
                "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have "
                    + "length greater than or equal to 1")
        }
        guard actions.count <= FakeDynamoDB.maximumTransactionActions else {
            throw .validation(
                "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have "
                    + "length less than or equal to \(FakeDynamoDB.maximumTransactionActions)")
        }
        var writes: [FakeDynamoDB.PreparedWrite] = []
        var seen: Set<String> = []
        for action in actions {
            guard case .object(let members) = action, members.count == 1, let name = members.keys.first,
                let inner = members[name], Self.actionNames.contains(name)
            else {
                throw .validation("TransactItems can only contain one of Check, Put, Update or Delete")
            }
            let write = try prepare(inner, operation: name, parameters: FakeDynamoDB.writeParameters)
            guard seen.insert("\(write.table)\u{0}\(write.key.partition)\u{0}\(write.key.sort)").inserted else {
                throw .validation("Transaction request cannot include multiple operations on one item")
            }
            writes.append(write)
        }
        return writes
    }
}

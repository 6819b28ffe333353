import JSONSupport

/// An error answer of the fake DynamoDB: its `__type` (namespace included, as DynamoDB sends it), message, status and
/// any extra members (`CancellationReasons`).
struct DynamoDBFailure: Error, Sendable {
    static let namespace = "com.amazonaws.dynamodb.v20120810#"

    var status = 400
    var type: String
    var message: String
    /// `TransactionCanceledException` spells it `Message`; the others `message`.
    var messageKey = "message"
    var extra: [String: JSONValue] = [:]

    var code: Substring { type[type.index(after: type.lastIndex(of: "#") ?? type.startIndex)...] }

    var body: JSONValue {
        var members = extra
        members["__type"] = .string(type)
        members[messageKey] = .string(message)
        return .object(members)
    }

    static func validation(_ message: String) -> DynamoDBFailure {
        DynamoDBFailure(type: "com.amazon.coral.validate#ValidationException", message: message)
    }

    /// What the fake refuses rather than get wrong: a test never silently passes on a form it does not implement.
    static func unsupported(_ what: String) -> DynamoDBFailure {
        validation("FakeDynamoDB does not support \(what)")
    }

    static let conditionalCheckFailed = DynamoDBFailure(
        type: namespace + "ConditionalCheckFailedException", message: "The conditional request failed")

    static let resourceNotFound = DynamoDBFailure(
        type: namespace + "ResourceNotFoundException", message: "Requested resource not found")

    static func service(_ code: String, _ message: String, status: Int = 400) -> DynamoDBFailure {
        DynamoDBFailure(status: status, type: namespace + code, message: message)
    }
}

import AWSClient
import Foundation
import JSONSupport
import Testing

/// The DynamoDB and SQS clients over real HTTP against moto: what moto accepts and answers (its JSON 1.0, its error
/// bodies, its `x-amz-crc32`, which every answer here is checked against), beyond the scripted requests of
/// `AWSClientTests`. Moto does not refuse unused expression names and values as DynamoDB does; `AWSClientTests` covers
/// that each request carries only its own.
@Suite("DynamoDB and SQS clients against moto", .enabled(if: Moto.isAvailable))
struct DynamoDBSQSMotoTests {
    func configuration() throws -> AWSConfiguration {
        AWSConfiguration(
            region: "us-east-1", credentials: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing"),
            environment: ["AWS_ENDPOINT_URL": try #require(Moto.endpoint)], retryPolicy: .none)
    }

    /// A table keyed `pk` (S) and `sk` (N), on demand.
    func createTable(_ dynamo: DynamoDBClient) async throws -> String {
        let table = Moto.unique("state")
        let attribute = { (name: String, type: String) -> JSONValue in
            .object(["AttributeName": .string(name), "AttributeType": .string(type)])
        }
        let key = { (name: String, type: String) -> JSONValue in
            .object(["AttributeName": .string(name), "KeyType": .string(type)])
        }
        _ = try await dynamo.client.sendJSON(
            operation: "CreateTable", target: "DynamoDB_20120810.CreateTable",
            body: .object([
                "TableName": .string(table), "BillingMode": .string("PAY_PER_REQUEST"),
                "AttributeDefinitions": .array([attribute("pk", "S"), attribute("sk", "N")]),
                "KeySchema": .array([key("pk", "HASH"), key("sk", "RANGE")]),
            ]), jsonVersion: .v10)
        return table
    }

    @Test("items: put with a condition, get, update returning the new item, conditional failures, delete")
    func items() async throws {
        let dynamo = try DynamoDBClient(configuration: configuration(), transport: HTTP1Transport())
        let table = try await createTable(dynamo)
        let key: DynamoDBItem = ["pk": .string("site"), "sk": .int(1)]
        let item = key.merging([
            "version": .int(1), "done": .bool(false), "gone": .null, "tags": .stringSet(["a"]),
            "doc": .map(["paths": .list([.string("/é"), .number("1.5"), .map(["x": .bool(true)])])]),
        ]) { $1 }
        let names = ["#pk": "pk", "#v": "version"]
        try await dynamo.putItem(
            table: table, item: item, condition: "attribute_not_exists(#pk)", names: names, values: [":v": .int(1)])
        #expect(try await dynamo.getItem(table: table, key: key) == item)
        #expect(try await dynamo.getItem(table: table, key: ["pk": .string("site"), "sk": .int(2)]) == nil)
        await #expect {
            try await dynamo.putItem(table: table, item: item, condition: "attribute_not_exists(#pk)", names: names)
        } throws: { ($0 as? AWSError)?.isConditionalCheckFailure == true }

        let updated = try await dynamo.updateItem(
            table: table, key: key, update: "SET #v = :next", condition: "#v < :next", names: names,
            values: [":next": .int(2), ":unused": .null], returnNewValues: true)
        #expect(updated?["version"]?.int64Value == 2)
        #expect(updated?["doc"] == item["doc"])
        await #expect {
            try await dynamo.updateItem(
                table: table, key: key, update: "SET #v = :next", condition: "#v < :next", names: names,
                values: [":next": .int(2)])
        } throws: { ($0 as? AWSError)?.code == "ConditionalCheckFailedException" }

        await #expect {
            try await dynamo.deleteItem(
                table: table, key: key, condition: "#v = :old", names: names, values: [":old": .int(1)])
        } throws: { ($0 as? AWSError)?.isConditionalCheckFailure == true }
        try await dynamo.deleteItem(table: table, key: key, condition: "#v = :v", names: names, values: [":v": .int(2)])
        #expect(try await dynamo.getItem(table: table, key: key) == nil)
    }

    @Test("query pages follow LastEvaluatedKey; a transaction commits whole or is cancelled with its reasons")
    func queryAndTransactions() async throws {
        let dynamo = try DynamoDBClient(configuration: configuration(), transport: HTTP1Transport())
        let table = try await createTable(dynamo)
        for sort in 1...5 {
            try await dynamo.putItem(table: table, item: ["pk": .string("p"), "sk": .int(Int64(sort))])
        }
        try await dynamo.putItem(table: table, item: ["pk": .string("other"), "sk": .int(1)])
        let values: DynamoDBItem = [":p": .string("p")]
        let page = try await dynamo.query(table: table, keyCondition: "pk = :p", values: values, limit: 2)
        #expect(page.items.compactMap { $0["sk"]?.int64Value } == [1, 2])
        #expect(page.lastEvaluatedKey == ["pk": .string("p"), "sk": .int(2)])
        let all = try await dynamo.queryAll(table: table, keyCondition: "pk = :p", values: values)
        #expect(all.compactMap { $0["sk"]?.int64Value } == [1, 2, 3, 4, 5])

        let names = ["#n": "note"]
        let shared: DynamoDBItem = [":p": .string("p"), ":note": .string("x"), ":one": .int(1)]
        await #expect {
            try await dynamo.transactWriteItems(
                [
                    .conditionCheck(table: table, key: ["pk": .string("p"), "sk": .int(9)], condition: "pk = :p"),
                    .update(table: table, key: ["pk": .string("p"), "sk": .int(1)], update: "SET #n = :note"),
                ], names: names, values: shared)
        } throws: { error in
            let error = error as? AWSError
            return error?.cancellationReasons == ["ConditionalCheckFailed", "None"]
                && error?.isConditionalCheckFailure == true
        }
        try await dynamo.transactWriteItems(
            [
                .conditionCheck(table: table, key: ["pk": .string("p"), "sk": .int(5)], condition: "pk = :p"),
                .update(
                    table: table, key: ["pk": .string("p"), "sk": .int(1)], update: "SET #n = :note",
                    condition: "sk = :one"),
                .delete(table: table, key: ["pk": .string("p"), "sk": .int(2)]),
                .put(table: table, item: ["pk": .string("p"), "sk": .int(6)], condition: "attribute_not_exists(pk)"),
            ], names: names, values: shared, clientRequestToken: UUID().uuidString)
        let after = try await dynamo.queryAll(table: table, keyCondition: "pk = :p", values: values)
        #expect(after.compactMap { $0["sk"]?.int64Value } == [1, 3, 4, 5, 6])
        #expect(after.first?["note"] == .string("x"))
    }

    @Test("SQS: a created queue receives what SendMessage sent (JSON 1.0 both ways); a missing queue is named")
    func sqs() async throws {
        let sqs = try SQSClient(configuration: configuration(), transport: HTTP1Transport())
        let created = try await sqs.client.sendJSON(
            operation: "CreateQueue", target: "AmazonSQS.CreateQueue",
            body: .object(["QueueName": .string(Moto.unique("changes"))]), jsonVersion: .v10)
        let queueURL = try #require(created["QueueUrl"]?.string)
        let body = #"{"bucket":"site","keys":["é/ü.html"]}"#
        let messageId = try await sqs.sendMessage(queueURL: queueURL, body: body)
        let received = try await sqs.client.sendJSON(
            operation: "ReceiveMessage", target: "AmazonSQS.ReceiveMessage",
            body: .object(["QueueUrl": .string(queueURL), "MaxNumberOfMessages": .number("10")]), jsonVersion: .v10)
        let message = try #require(received["Messages"]?.array?.first)
        #expect(message["MessageId"]?.string == messageId)
        #expect(message["Body"]?.string == body)

        await #expect { try await sqs.sendMessage(queueURL: queueURL + "-missing", body: "x") } throws: {
            ($0 as? AWSError)?.code == "QueueDoesNotExist"
        }
    }
}

import AWSClient
import AWSTestSupport
import FoundationEssentials
import JSONSupport
import Testing

@testable import LocalAWS

/// TransactWriteItems and the faults of the fake DynamoDB: the crash points of the coalescing window.
@Suite("FakeDynamoDB transactions and faults")
struct FakeDynamoDBTransactionTests {
    let clock: VirtualClock
    let dynamoDB: FakeDynamoDB
    let caller: JSONCaller

    init() async {
        let clock = VirtualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        self.clock = clock
        dynamoDB = FakeDynamoDB(clock: clock)
        await dynamoDB.createTable("flat", partitionKey: "id")
        await dynamoDB.seed(["id": .string("open"), "v": .number("1")], in: "flat")
        await dynamoDB.seed(["id": .string("other")], in: "flat")
        caller = .dynamoDB(dynamoDB.transport)
    }

    func call(_ operation: String, _ body: String) async throws -> JSONCaller.Answer {
        try await caller.call(operation, body)
    }

    static let put =
        #"{"Put":{"TableName":"flat","Item":{"id":{"S":"new"}},"ConditionExpression":"attribute_not_exists(id)"}}"#
    /// Adds 1 to `open`'s `v` if it is `version`.
    static func bump(version: Int) -> String {
        #"{"Update":{"TableName":"flat","Key":{"id":{"S":"open"}},"UpdateExpression":"ADD v :one","ConditionExpression":"v = :v","ExpressionAttributeValues":{":one":{"N":"1"},":v":{"N":"\#(version)"}}}}"#
    }
    static let check =
        #"{"ConditionCheck":{"TableName":"flat","Key":{"id":{"S":"other"}},"ConditionExpression":"attribute_exists(id)"}}"#
    static let delete = #"{"Delete":{"TableName":"flat","Key":{"id":{"S":"gone"}}}}"#

    func transact(_ actions: [String], token: String? = nil) async throws -> JSONCaller.Answer {
        let tokenMember = token.map { #","ClientRequestToken":"\#($0)""# } ?? ""
        return try await call(
            "TransactWriteItems", #"{"TransactItems":[\#(actions.joined(separator: ","))]\#(tokenMember)}"#)
    }

    @Test("all or nothing: a false condition cancels every action, with one reason per action in order")
    func cancelled() async throws {
        let answer = try await transact([
            Self.put, Self.bump(version: 7), Self.check,
        ])
        #expect(answer.code == "TransactionCanceledException" && answer.status == 400)
        #expect(
            answer.message
                == "Transaction cancelled, please refer cancellation reasons for specific reasons [None, "
                + "ConditionalCheckFailed, None]")
        #expect(
            answer["CancellationReasons"]
                == .array([
                    .object(["Code": .string("None")]),
                    .object([
                        "Code": .string("ConditionalCheckFailed"), "Message": .string("The conditional request failed"),
                    ]),
                    .object(["Code": .string("None")]),
                ]))
        #expect(
            await dynamoDB.items(in: "flat") == [
                ["id": .string("open"), "v": .number("1")], ["id": .string("other")],
            ],
            "nothing written")
        #expect(await dynamoDB.counters.transactionsCancelled == 1)
        let reasons = try await transact([
            #"{"ConditionCheck":{"TableName":"flat","Key":{"id":{"S":"open"}},"ConditionExpression":"attribute_not_exists(id)"}}"#,
            Self.put,
        ])
        #expect(reasons.message.hasSuffix("[ConditionalCheckFailed, None]"))
        let invalid = try await transact([
            #"{"Update":{"TableName":"flat","Key":{"id":{"S":"open"}},"UpdateExpression":"SET v = w + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}"#
        ])
        #expect(invalid.code == "TransactionCanceledException" && invalid.message.hasSuffix("[ValidationError]"))
    }

    @Test("all applied when every condition holds")
    func committed() async throws {
        await dynamoDB.seed(["id": .string("gone")], in: "flat")
        let answer = try await transact([
            Self.put, Self.bump(version: 1), Self.check, Self.delete,
        ])
        #expect(answer.status == 200 && answer.json == .object([:]), "\(answer.json)")
        #expect(
            await dynamoDB.items(in: "flat") == [
                ["id": .string("new")], ["id": .string("open"), "v": .number("2")], ["id": .string("other")],
            ])
    }

    @Test("refused whole: two actions on one item, more than 100 actions, none, an action of no known kind")
    func refused() async throws {
        let twice = try await transact([Self.put, Self.bump(version: 1), Self.put])
        #expect(twice.code == "ValidationException" && twice.message.contains("multiple operations on one item"))
        let many = (0...100).map { #"{"Put":{"TableName":"flat","Item":{"id":{"S":"i\#($0)"}}}}"# }
        let tooMany = try await transact(many)
        #expect(tooMany.code == "ValidationException" && tooMany.message.contains("less than or equal to 100"))
        #expect(try await transact(Array(many.dropLast())).status == 200, "100 actions are fine")
        #expect(try await transact([]).code == "ValidationException")
        #expect(
            try await transact([#"{"Get":{"TableName":"flat","Key":{"id":{"S":"open"}}}}"#]).code
                == "ValidationException")
        let unknown = try await transact([#"{"Put":{"TableName":"nope","Item":{"id":{"S":"x"}}}}"#])
        #expect(unknown.code == "ResourceNotFoundException")
    }

    @Test(
        "a ClientRequestToken replayed with the same request succeeds without doing the work twice; with another, a mismatch"
    )
    func tokens() async throws {
        let bump = Self.bump(version: 1)
        #expect(try await transact([bump], token: "t1").status == 200)
        #expect(try await transact([bump], token: "t1").status == 200, "the retry of a lost answer")
        #expect(await dynamoDB.items(in: "flat").first?["v"] == .number("2"), "applied once")
        #expect(try await transact([Self.check], token: "t1").code == "IdempotentParameterMismatchException")
        clock.advance(by: .seconds(601))
        #expect(try await transact([bump], token: "t1").code == "TransactionCanceledException", "the token expired")
    }

    @Test(
        "faults before the work: an error answer or a reset, nothing written; the injector sees operation, table, time")
    func faultsBefore() async throws {
        let seen = Locked<[FakeDynamoDB.RequestInfo]>([])
        let fault = Locked<FakeDynamoDB.Fault?>(.provisionedThroughputExceeded)
        await dynamoDB.injectFaults { info in
            seen.withLock { $0.append(info) }
            return fault.withLock { $0 }
        }
        let put = #"{"TableName":"flat","Item":{"id":{"S":"x"}}}"#
        let throttled = try await call("PutItem", put)
        #expect(throttled.code == "ProvisionedThroughputExceededException" && throttled.status == 400)
        fault.withLock { $0 = .internalServerError }
        #expect(try await call("PutItem", put).status == 500)
        fault.withLock { $0 = .reset }
        await #expect(throws: AWSError.self) { try await call("PutItem", put) }
        #expect(await dynamoDB.items(in: "flat").count == 2, "nothing written")
        let info = try #require(seen.withLock { $0.first })
        #expect(info.operation == "PutItem" && info.table == "flat" && info.time == clock.now())
        fault.withLock { $0 = nil }
        _ = try await transact([Self.put])
        #expect(
            seen.withLock { $0.last?.table } == "flat" && seen.withLock { $0.last?.operation } == "TransactWriteItems")
        let counters = await dynamoDB.counters
        #expect(counters.faults["PutItem"] == 3 && counters.requests["PutItem"] == 3)
    }

    @Test("faults after the work: the write happened, its answer is an error or a dropped connection")
    func faultsAfter() async throws {
        await dynamoDB.injectFaults { _ in .afterWork(.reset) }
        await #expect(throws: AWSError.self) {
            try await call("PutItem", #"{"TableName":"flat","Item":{"id":{"S":"lost"}}}"#)
        }
        #expect(await dynamoDB.items(in: "flat").contains { $0["id"] == .string("lost") })
        await dynamoDB.injectFaults { _ in .afterWork(.internalServerError) }
        let answer = try await transact([Self.put])
        #expect(answer.status == 500 && answer.code == "InternalServerError")
        #expect(await dynamoDB.items(in: "flat").contains { $0["id"] == .string("new") }, "the transaction happened")
        await dynamoDB.injectFaults(nil)
        #expect(try await transact([Self.put]).code == "TransactionCanceledException", "its retry finds it done")
    }
}

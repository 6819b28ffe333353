import AWSClient
import AWSTestSupport
import FoundationEssentials
import JSONSupport
import Testing

@testable import LocalAWS

/// UpdateItem's clauses and ReturnValues, Query's pages, transactions and faults of the fake DynamoDB.
@Suite("FakeDynamoDB writes")
struct FakeDynamoDBWriteTests {
    let clock: VirtualClock
    let dynamoDB: FakeDynamoDB
    let caller: JSONCaller

    init() async {
        let clock = VirtualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        self.clock = clock
        dynamoDB = FakeDynamoDB(clock: clock)
        await dynamoDB.createTable("windows", partitionKey: "pk", sortKey: "sk")
        await dynamoDB.createTable("flat", partitionKey: "id")
        caller = .dynamoDB(dynamoDB.transport)
    }

    func call(_ operation: String, _ body: String) async throws -> JSONCaller.Answer {
        try await caller.call(operation, body)
    }

    /// UpdateItem on `flat` item `a` with these values.
    func update(
        _ expression: String, values: String = "", returnValues: String = "NONE"
    ) async throws -> JSONCaller.Answer {
        let valueMember = values.isEmpty ? "" : #","ExpressionAttributeValues":{\#(values)}"#
        return try await call(
            "UpdateItem",
            #"{"TableName":"flat","Key":{"id":{"S":"a"}},"UpdateExpression":\#(JSON.quote(expression)),"ReturnValues":"\#(returnValues)"\#(valueMember)}"#
        )
    }

    func item() async -> FakeDynamoDB.Item? { await dynamoDB.items(in: "flat").first }

    @Test("update clauses: SET with + and -, if_not_exists, list_append; REMOVE; ADD; clauses in any order")
    func clauses() async throws {
        var answer = try await update(
            "SET n = :one, l = list_append(:l, :l), w = if_not_exists(w, :one)",
            values: #"":one":{"N":"1"},":l":{"L":[{"S":"a"}]}"#)
        #expect(answer.status == 200, "\(answer.message)")
        #expect(
            await item() == [
                "id": .string("a"), "n": .number("1"), "l": .list([.string("a"), .string("a")]), "w": .number("1"),
            ])
        answer = try await update(
            "REMOVE l ADD n :two, c :two SET w = if_not_exists(w, :ten), z = n + :ten, y = n - :ten",
            values: #"":two":{"N":"2"},":ten":{"N":"10"}"#)
        #expect(answer.status == 200, "\(answer.message)")
        let after = try #require(await item())
        #expect(after["l"] == nil && after["n"] == .number("3") && after["c"] == .number("2"))
        #expect(after["w"] == .number("1"), "if_not_exists keeps what exists")
        #expect(after["z"] == .number("11") && after["y"] == .number("-9"), "operands read the item before the update")
        answer = try await update("SET a1 = n, n = a1", values: "")
        #expect(answer.code == "ValidationException", "a1 does not exist: \(answer.message)")
        #expect(
            answer.message == "The provided expression refers to an attribute that does not exist in the item")
    }

    @Test(
        "update expressions DynamoDB refuses",
        arguments: [
            ("SET a = :one SET b = :one", "The \"SET\" section can only be used once"),
            ("SET a = :one REMOVE a", "Two document paths overlap"),
            ("SET a = :one, a = :one", "Two document paths overlap"),
            ("ADD a :one ADD b :one", "can only be used once"),
            ("SET a = absent + :one", "refers to an attribute that does not exist in the item"),
            ("SET a = if_not_exists(absent, absent)", "refers to an attribute that does not exist"),
            ("SET a = :text + :one", "incorrect data type"),
            ("ADD t :one", "incorrect data type"),
            ("ADD a :text", "Incorrect operand type"),
            ("DELETE a :one", "FakeDynamoDB does not support"),
            ("SET a.b = :one", "FakeDynamoDB does not support"),
            ("SET a = foo(:one)", "Invalid function name"),
            ("SET a = :nope", "not defined; attribute value: :nope"),
            ("", "can not be empty"),
        ])
    func refusedUpdates(_ expression: String, _ message: String) async throws {
        _ = try await call("PutItem", #"{"TableName":"flat","Item":{"id":{"S":"a"},"t":{"S":"text"}}}"#)
        let used = [":one", ":text"].filter { expression.contains($0) }
        let values = used.map { $0 == ":one" ? #"":one":{"N":"1"}"# : #"":text":{"S":"x"}"# }
        let answer = try await update(expression, values: values.joined(separator: ","))
        #expect(answer.code == "ValidationException" && answer.message.contains(message), "\(answer.message)")
        #expect(await item() == ["id": .string("a"), "t": .string("text")], "nothing changed")
    }

    @Test(
        "ReturnValues: NONE, ALL_OLD, ALL_NEW, UPDATED_OLD, UPDATED_NEW",
        arguments: [
            ("NONE", nil),
            ("ALL_OLD", #"{"id":{"S":"a"},"n":{"N":"1"},"keep":{"S":"k"},"gone":{"S":"g"}}"#),
            ("ALL_NEW", #"{"id":{"S":"a"},"n":{"N":"2"},"keep":{"S":"k"},"fresh":{"S":"v"}}"#),
            ("UPDATED_OLD", #"{"n":{"N":"1"},"gone":{"S":"g"}}"#),
            ("UPDATED_NEW", #"{"n":{"N":"2"},"fresh":{"S":"v"}}"#),
        ] as [(String, String?)])
    func returnValues(_ returnValues: String, _ expected: String?) async throws {
        _ = try await call(
            "PutItem",
            #"{"TableName":"flat","Item":{"id":{"S":"a"},"n":{"N":"1"},"keep":{"S":"k"},"gone":{"S":"g"}}}"#)
        let answer = try await update(
            "SET n = n + :one, fresh = :v REMOVE gone", values: #"":one":{"N":"1"},":v":{"S":"v"}"#,
            returnValues: returnValues)
        #expect(answer.status == 200, "\(answer.message)")
        #expect(answer["Attributes"] == (try expected.map { try JSON.parse($0) }))
    }

    @Test("PutItem and DeleteItem answer ALL_OLD and refuse the update-only ReturnValues")
    func putDeleteReturnValues() async throws {
        let first = try await call(
            "PutItem", #"{"TableName":"flat","Item":{"id":{"S":"a"},"v":{"N":"1"}},"ReturnValues":"ALL_OLD"}"#)
        #expect(first.json == .object([:]), "nothing before")
        let second = try await call(
            "PutItem", #"{"TableName":"flat","Item":{"id":{"S":"a"},"v":{"N":"2"}},"ReturnValues":"ALL_OLD"}"#)
        #expect(second["Attributes"]?["v"] == .object(["N": .string("1")]))
        let refused = try await call(
            "PutItem", #"{"TableName":"flat","Item":{"id":{"S":"a"}},"ReturnValues":"ALL_NEW"}"#)
        #expect(refused.code == "ValidationException")
        let deleted = try await call(
            "DeleteItem",
            #"{"TableName":"flat","Key":{"id":{"S":"a"}},"ReturnValues":"ALL_OLD","ConditionExpression":"v = :two","ExpressionAttributeValues":{":two":{"N":"2"}}}"#
        )
        #expect(deleted["Attributes"]?["v"] == .object(["N": .string("2")]))
        #expect(await item() == nil)
        let again = try await call(
            "DeleteItem", #"{"TableName":"flat","Key":{"id":{"S":"a"}},"ConditionExpression":"attribute_exists(id)"}"#)
        #expect(again.code == "ConditionalCheckFailedException")
        #expect(await dynamoDB.counters.conditionalCheckFailures["DeleteItem"] == 1)
    }

    func putWindow(_ sort: String, _ payload: String = "") async throws {
        let answer = try await call(
            "PutItem",
            #"{"TableName":"windows","Item":{"pk":{"S":"p"},"sk":{"S":\#(JSON.quote(sort))},"v":{"S":"\#(payload)"}}}"#)
        #expect(answer.status == 200, "\(answer.message)")
    }

    func query(_ condition: String, _ values: String, extra: String = "") async throws -> JSONCaller.Answer {
        try await call(
            "Query",
            #"{"TableName":"windows","KeyConditionExpression":\#(JSON.quote(condition)),"ExpressionAttributeValues":{\#(values)}\#(extra)}"#
        )
    }

    static func sorts(_ answer: JSONCaller.Answer) -> [String] {
        answer["Items"]?.array?.compactMap { $0["sk"]?["S"]?.string } ?? []
    }

    @Test("Query: one partition in UTF-8 byte order of the sort key, both directions; begins_with, BETWEEN, <")
    func queryOrder() async throws {
        for sort in ["b#2", "é", "a#1", "B", "a#2", "Z"] { try await putWindow(sort) }
        _ = try await call("PutItem", #"{"TableName":"windows","Item":{"pk":{"S":"other"},"sk":{"S":"a#0"}}}"#)
        let all = try await query("pk = :p", #"":p":{"S":"p"}"#, extra: #","ConsistentRead":true"#)
        #expect(Self.sorts(all) == ["B", "Z", "a#1", "a#2", "b#2", "é"])
        #expect(all["Count"] == .number("6") && all["LastEvaluatedKey"] == nil)
        let reversed = try await query("pk = :p", #"":p":{"S":"p"}"#, extra: #","ScanIndexForward":false"#)
        #expect(Self.sorts(reversed) == ["é", "b#2", "a#2", "a#1", "Z", "B"])
        let prefix = try await query("pk = :p AND begins_with(sk, :a)", #"":p":{"S":"p"},":a":{"S":"a#"}"#)
        #expect(Self.sorts(prefix) == ["a#1", "a#2"])
        let between = try await query(
            "sk BETWEEN :a AND :b AND pk = :p", #"":p":{"S":"p"},":a":{"S":"Z"},":b":{"S":"a#2"}"#)
        #expect(Self.sorts(between) == ["Z", "a#1", "a#2"], "either order of the two conditions")
        let less = try await query("pk = :p AND sk < :a", #"":p":{"S":"p"},":a":{"S":"a"}"#)
        #expect(Self.sorts(less) == ["B", "Z"])
    }

    @Test(
        "Query: key conditions DynamoDB refuses",
        arguments: [
            ("sk = :a", "missed key schema element: pk"), ("pk = :p OR sk = :a", "Invalid operator"),
            ("pk = :p AND v = :a", "Query key condition not supported"), ("pk <> :p", "not supported"),
            ("pk = :p AND sk <> :a", "not supported"), ("pk = :p AND sk = :a AND sk = :a", "length 1 or 2"),
            ("pk = :p AND sk BETWEEN :p AND :a", "upper bound to be greater than or equal to lower bound"),
        ])
    func refusedKeyConditions(_ condition: String, _ message: String) async throws {
        let values = [#"":p":{"S":"p"}"#, #"":a":{"S":"a"}"#].filter {
            condition.contains(String($0.dropFirst().prefix(2)))
        }
        let answer = try await query(condition, values.joined(separator: ","))
        #expect(answer.code == "ValidationException" && answer.message.contains(message), "\(answer.message)")
    }

    @Test("Query pages: Limit with LastEvaluatedKey chained through ExclusiveStartKey, both directions")
    func queryLimit() async throws {
        for sort in ["1", "2", "3", "4", "5"] { try await putWindow(sort) }
        for forward in [true, false] {
            var seen: [String] = []
            var start = ""
            var pages = 0
            repeat {
                let answer = try await query(
                    "pk = :p", #"":p":{"S":"p"}"#, extra: #","Limit":2,"ScanIndexForward":\#(forward)\#(start)"#)
                seen += Self.sorts(answer)
                pages += 1
                start = answer["LastEvaluatedKey"].map { #","ExclusiveStartKey":\#(JSON.serialize($0))"# } ?? ""
                if let key = answer["LastEvaluatedKey"] { #expect(key["v"] == nil && key["pk"] != nil, "keys only") }
            } while !start.isEmpty && pages < 10
            #expect(seen == (forward ? ["1", "2", "3", "4", "5"] : ["5", "4", "3", "2", "1"]))
            #expect(pages == 3)
        }
        let zero = try await query("pk = :p", #"":p":{"S":"p"}"#, extra: #","Limit":0"#)
        #expect(zero.code == "ValidationException")
    }

    @Test("Query pages end before the item that would take them past 1 MB of item data")
    func queryMegabyte() async throws {
        let payload = String(repeating: "x", count: 300_000)
        for sort in ["1", "2", "3", "4"] { try await putWindow(sort, payload) }
        let first = try await query("pk = :p", #"":p":{"S":"p"}"#)
        #expect(Self.sorts(first) == ["1", "2", "3"], "3 x 300 KB fit in 1 MB, a fourth does not")
        let key = try #require(first["LastEvaluatedKey"])
        let second = try await query(
            "pk = :p", #"":p":{"S":"p"}"#, extra: #","ExclusiveStartKey":\#(JSON.serialize(key))"#)
        #expect(Self.sorts(second) == ["4"] && second["LastEvaluatedKey"] == nil)
    }
}

import AWSClient
import AWSTestSupport
import FoundationEssentials
import JSONSupport
import Testing

@testable import LocalAWS

/// The fake DynamoDB's rules, each pinned by a test that fails without it: the chaos tests of the coalescing window
/// trust the fake to refuse what DynamoDB refuses.
@Suite("FakeDynamoDB")
struct FakeDynamoDBTests {
    let dynamoDB: FakeDynamoDB
    let caller: JSONCaller

    init() async {
        dynamoDB = FakeDynamoDB(clock: VirtualClock(start: Date(timeIntervalSince1970: 1_800_000_000)))
        await dynamoDB.createTable("windows", partitionKey: "pk", sortKey: "sk")
        await dynamoDB.createTable("flat", partitionKey: "id")
        caller = .dynamoDB(dynamoDB.transport)
    }

    func call(_ operation: String, _ body: String) async throws -> JSONCaller.Answer {
        try await caller.call(operation, body)
    }

    /// Puts `{"pk":"k","sk":"s", n: 5, s: "hello", …}` into `windows`.
    func putSample() async throws {
        let answer = try await call(
            "PutItem",
            #"""
            {"TableName":"windows","Item":{"pk":{"S":"k"},"sk":{"S":"s"},"n":{"N":"5"},"s":{"S":"hello"},
            "flag":{"BOOL":true},"l":{"L":[{"S":"a"},{"N":"1"}]},"tags":{"SS":["x","y"]},"nothing":{"NULL":true},
            "m":{"M":{"inner":{"S":"v"}}}}}
            """#)
        #expect(answer.status == 200, "\(answer.json)")
    }

    @Test(
        "the wire: unsigned requests, unknown operations and tables are refused; answers carry a request id and CRC32")
    func wire() async throws {
        var unsigned = caller
        unsigned.signed = false
        let refused = try await unsigned.call("GetItem", #"{"TableName":"flat","Key":{"id":{"S":"a"}}}"#)
        #expect(refused.code == "MissingAuthenticationTokenException")
        #expect(try await call("Scan", #"{"TableName":"flat"}"#).code == "UnknownOperationException")
        let missing = try await call("GetItem", #"{"TableName":"nope","Key":{"id":{"S":"a"}}}"#)
        #expect(missing.code == "ResourceNotFoundException" && missing.status == 400)
        let answer = try await call("GetItem", #"{"TableName":"flat","Key":{"id":{"S":"a"}},"ConsistentRead":true}"#)
        #expect(answer.status == 200 && answer.json == .object([:]), "no item: an empty answer")
        #expect(answer.response.header("x-amzn-requestid")?.isEmpty == false)
        #expect(answer.response.header("x-amz-crc32") == String(JSONFake.crc32(answer.response.body)))
        #expect(JSONFake.crc32(Array("123456789".utf8)) == 0xCBF4_3926, "the standard check value")
    }

    @Test("values: every supported type round-trips; empty or duplicated sets, bad numbers, NULL false are refused")
    func values() async throws {
        try await putSample()
        let answer = try await call("GetItem", #"{"TableName":"windows","Key":{"pk":{"S":"k"},"sk":{"S":"s"}}}"#)
        let item = try #require(await dynamoDB.items(in: "windows").first)
        #expect(item["l"] == .list([.string("a"), .number("1")]))
        #expect(item["m"] == .map(["inner": .string("v")]) && item["nothing"] == .null && item["flag"] == .bool(true))
        #expect(answer["Item"]?["tags"] == .object(["SS": .array([.string("x"), .string("y")])]))
        for (value, message) in [
            (#"{"SS":[]}"#, "may not be empty"), (#"{"SS":["a","a"]}"#, "contains duplicates"),
            (#"{"N":"1x"}"#, "cannot be converted into a number"), (#"{"NULL":false}"#, "must have the value of true"),
            (#"{"S":"a","N":"1"}"#, "exactly one"), (#"{"B":"AA=="}"#, "does not support"),
        ] {
            let put = try await call(
                "PutItem", #"{"TableName":"flat","Item":{"id":{"S":"a"},"v":\#(value)}}"#)
            #expect(put.code == "ValidationException" && put.message.contains(message), "\(value): \(put.message)")
        }
    }

    @Test("keys: exactly the key schema's attributes, strings, not empty; a key attribute cannot be updated")
    func keys() async throws {
        let cases: [(String, String, String)] = [
            ("PutItem", #"{"TableName":"windows","Item":{"pk":{"S":"a"}}}"#, "Missing the key sk"),
            ("PutItem", #"{"TableName":"flat","Item":{"id":{"N":"1"}}}"#, "Type mismatch for key id"),
            ("PutItem", #"{"TableName":"flat","Item":{"id":{"S":""}}}"#, "empty string"),
            ("GetItem", #"{"TableName":"flat","Key":{"id":{"S":"a"},"x":{"S":"b"}}}"#, "does not match the schema"),
            ("GetItem", #"{"TableName":"windows","Key":{"pk":{"S":"a"}}}"#, "does not match the schema"),
            ("DeleteItem", #"{"TableName":"flat","Key":{"id":{"N":"1"}}}"#, "does not match the schema"),
            (
                "UpdateItem",
                #"{"TableName":"flat","Key":{"id":{"S":"a"}},"UpdateExpression":"SET id = :v","ExpressionAttributeValues":{":v":{"S":"b"}}}"#,
                "Cannot update attribute id"
            ),
        ]
        for (operation, body, message) in cases {
            let answer = try await call(operation, body)
            #expect(answer.code == "ValidationException" && answer.message.contains(message), "\(answer.message)")
        }
        #expect(await dynamoDB.items(in: "flat").isEmpty)
    }

    @Test("an item over 400 KB (names and values) is refused, by PutItem and by an UpdateItem that grows it")
    func itemSize() async throws {
        let big = String(repeating: "x", count: FakeDynamoDB.maximumItemSize - "id".count - 1 - "v".count)
        let fits = try await call("PutItem", #"{"TableName":"flat","Item":{"id":{"S":"a"},"v":{"S":"\#(big)"}}}"#)
        #expect(fits.status == 200, "exactly 400 KB: \(fits.message)")
        let over = try await call("PutItem", #"{"TableName":"flat","Item":{"id":{"S":"b"},"v":{"S":"\#(big)x"}}}"#)
        #expect(over.code == "ValidationException" && over.message == "Item size has exceeded the maximum allowed size")
        let grow = try await call(
            "UpdateItem",
            #"{"TableName":"flat","Key":{"id":{"S":"a"}},"UpdateExpression":"SET w = :v","ExpressionAttributeValues":{":v":{"S":"more"}}}"#
        )
        #expect(grow.code == "ValidationException" && grow.message.contains("Item size has exceeded"))
        #expect(await dynamoDB.items(in: "flat").count == 1)
    }

    /// Every placeholder value the condition table uses; each case sends only those its expression names.
    static let values: [String: String] = [
        ":one": #"{"N":"1"}"#, ":five": #"{"N":"5"}"#, ":fivePointZero": #"{"N":"5.0"}"#, ":six": #"{"N":"6"}"#,
        ":ten": #"{"N":"10"}"#, ":nine": #"{"N":"9"}"#, ":fiveText": #"{"S":"5"}"#, ":he": #"{"S":"he"}"#,
        ":x": #"{"S":"x"}"#, ":hello": #"{"S":"hello"}"#, ":two": #"{"N":"2"}"#, ":true": #"{"BOOL":true}"#,
    ]

    static func placeholders(in expression: String) -> [String] {
        var found: [String] = []
        var current = ""
        for character in expression + " " {
            if character == ":" || character == "#" {
                current = String(character)
            } else if !current.isEmpty, character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else {
                if current.count > 1 { found.append(current) }
                current = ""
            }
        }
        return found
    }

    /// PutItem of the sample item over itself, conditioned: true when it was written.
    func holds(_ condition: String, names: [String: String] = [:]) async throws -> Bool {
        try await putSample()
        let used = Self.placeholders(in: condition)
        let values = used.filter { $0.hasPrefix(":") }.map { "\"\($0)\":\(Self.values[$0]!)" }
        var extra = values.isEmpty ? "" : #","ExpressionAttributeValues":{\#(values.joined(separator: ","))}"#
        if !names.isEmpty {
            extra += #","ExpressionAttributeNames":"# + JSON.serialize(.object(names.mapValues { .string($0) }))
        }
        let answer = try await call(
            "PutItem",
            #"{"TableName":"windows","Item":{"pk":{"S":"k"},"sk":{"S":"s"},"n":{"N":"5"},"s":{"S":"hello"},"l":{"L":[{"S":"a"},{"N":"1"}]}},"ConditionExpression":\#(JSON.quote(condition))\#(extra)}"#
        )
        if answer.status != 200 {
            #expect(answer.code == "ConditionalCheckFailedException", "\(condition): \(answer.message)")
            #expect(answer.message == "The conditional request failed")
            #expect(answer["__type"] == .string("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"))
        }
        return answer.status == 200
    }

    @Test(
        "conditions: each form true and false; across types false, <> true",
        arguments: [
            ("attribute_exists(n)", true), ("attribute_exists(nope)", false), ("attribute_not_exists(nope)", true),
            ("attribute_not_exists(n)", false), ("begins_with(s, :he)", true), ("begins_with(s, :x)", false),
            ("begins_with(n, :he)", false), ("n = :five", true), ("n = :fivePointZero", true), ("n = :six", false),
            ("n = :fiveText", false), ("n <> :fiveText", true), ("n <> :five", false), ("nope <> :five", true),
            ("nope = :five", false), ("n < :ten", true), ("n < :one", false), ("n <= :five", true),
            ("n <= :one", false), ("n > :one", true), ("n > :ten", false), ("n >= :five", true), ("n >= :six", false),
            ("s < :fiveText", false), ("s > :he", true), ("n BETWEEN :one AND :ten", true),
            ("n BETWEEN :six AND :ten", false), ("n BETWEEN :fiveText AND :hello", false), ("n IN (:one, :five)", true),
            ("n IN (:one, :ten)", false), ("size(s) = :five", true), ("size(l) = :two", true),
            ("size(s) > :five", false),
            ("size(n) = :one", false), ("NOT n = :five", false), ("NOT attribute_exists(nope)", true),
            ("n = :five OR n = :one AND s = :x", true), ("(n = :five OR n = :one) AND s = :x", false),
            ("NOT n = :five AND n = :one", false), ("NOT (n = :five AND n = :one)", true),
            ("n = :one OR NOT n = :one AND s = :hello", true), ("n = :nine OR s = :hello", true),
            ("n < :nine AND :nine < :ten", true), ("s = :true", false),
        ])
    func condition(_ expression: String, _ expected: Bool) async throws {
        #expect(try await holds(expression) == expected, "\(expression)")
    }

    @Test("names: #placeholders stand for any name, reserved words included; bare reserved words are refused")
    func reservedWords() async throws {
        #expect(try await holds("#status = :five", names: ["#status": "n"]))
        #expect(try await holds("attribute_not_exists(#size)", names: ["#size": "size"]))
        for word in ["status", "COUNT", "Name", "data", "value", "ttl", "size"] {
            let answer = try await call(
                "PutItem",
                #"{"TableName":"flat","Item":{"id":{"S":"a"}},"ConditionExpression":"attribute_not_exists(\#(word))"}"#)
            #expect(answer.code == "ValidationException", "\(word)")
            #expect(answer.message.contains("Attribute name is a reserved keyword; reserved keyword: \(word)"))
        }
        let update = try await call(
            "UpdateItem",
            #"{"TableName":"flat","Key":{"id":{"S":"a"}},"UpdateExpression":"SET counter = :v, version = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}"#
        )
        #expect(update.message.contains("reserved keyword: counter"))
        #expect(DynamoDBReservedWords.all.count == 573)
    }

    @Test(
        "placeholders: unused, undefined and empty maps are refused",
        arguments: [
            (
                #""ConditionExpression":"attribute_exists(id)","ExpressionAttributeValues":{":x":{"S":"a"}}"#,
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"
            ),
            (
                ##""ConditionExpression":"attribute_exists(id)","ExpressionAttributeNames":{"#x":"a","#b":"c"}"##,
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #x}"
            ),
            (
                ##""ExpressionAttributeNames":{"#x":"a"}"##,
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}"
            ),
            (
                #""ConditionExpression":"v = :x""#,
                "An expression attribute value used in expression is not defined; attribute value: :x"
            ),
            (
                ##""ConditionExpression":"#v = :x","ExpressionAttributeValues":{":x":{"S":"a"}}"##,
                "An expression attribute name used in the document path is not defined; attribute name: #v"
            ),
            (
                #""ConditionExpression":"v = :x","ExpressionAttributeValues":{":x":{"S":"a"},"y":{"S":"b"}}"#,
                "ExpressionAttributeValues contains invalid key"
            ),
            (
                #""ConditionExpression":"attribute_exists(id)","ExpressionAttributeValues":{}"#,
                "ExpressionAttributeValues must not be empty"
            ),
            (
                #""ConditionExpression":"attribute_exists(id)","ExpressionAttributeNames":{}"#,
                "ExpressionAttributeNames must not be empty"
            ),
        ])
    func placeholders(_ members: String, _ message: String) async throws {
        let answer = try await call("PutItem", #"{"TableName":"flat","Item":{"id":{"S":"a"}},\#(members)}"#)
        #expect(answer.code == "ValidationException" && answer.message.contains(message), "\(answer.message)")
        #expect(await dynamoDB.items(in: "flat").isEmpty)
    }

    @Test(
        "unsupported forms are refused by name, never misread",
        arguments: [
            #""ConditionExpression":"a.b = :x","ExpressionAttributeValues":{":x":{"S":"a"}}"#,
            #""ConditionExpression":"a[0] = :x","ExpressionAttributeValues":{":x":{"S":"a"}}"#,
            #""ConditionExpression":"contains(a, :x)","ExpressionAttributeValues":{":x":{"S":"a"}}"#,
            #""ConditionExpression":"attribute_type(a, :x)","ExpressionAttributeValues":{":x":{"S":"S"}}"#,
            #""Expected":{"a":{"Exists":false}}"#,
            #""ReturnConsumedCapacity":"TOTAL""#,
        ])
    func unsupported(_ members: String) async throws {
        let answer = try await call("PutItem", #"{"TableName":"flat","Item":{"id":{"S":"a"}},\#(members)}"#)
        #expect(answer.code == "ValidationException" && answer.message.contains("FakeDynamoDB does not support"))
    }

    @Test(
        "syntax: malformed conditions are ValidationExceptions",
        arguments: [
            "a = ", "a = :x)", "(a = :x", "a == :x", "foo(a)", "a BETWEEN :x", "AND a = :x", "a IN :x", "", "a ! :x",
            "size(a)",
        ])
    func syntax(_ expression: String) async throws {
        let values = expression.contains(":x") ? #","ExpressionAttributeValues":{":x":{"S":"a"}}"# : ""
        let answer = try await call(
            "PutItem",
            #"{"TableName":"flat","Item":{"id":{"S":"a"}},"ConditionExpression":\#(JSON.quote(expression))\#(values)}"#)
        #expect(answer.code == "ValidationException", "\(expression): \(answer.json)")
    }

    @Test("ReturnValuesOnConditionCheckFailure ALL_OLD puts the item in the ConditionalCheckFailedException")
    func oldItemOnFailure() async throws {
        try await putSample()
        let answer = try await call(
            "DeleteItem",
            #"{"TableName":"windows","Key":{"pk":{"S":"k"},"sk":{"S":"s"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}"#
        )
        #expect(answer.code == "ConditionalCheckFailedException")
        #expect(answer["Item"]?["s"] == .object(["S": .string("hello")]))
        #expect(await dynamoDB.counters.conditionalCheckFailures["DeleteItem"] == 1)
        #expect(await dynamoDB.items(in: "windows").count == 1)
    }

    @Test("empty strings are fine outside keys")
    func emptyStrings() async throws {
        let answer = try await call("PutItem", #"{"TableName":"flat","Item":{"id":{"S":"a"},"v":{"S":""}}}"#)
        #expect(answer.status == 200)
        #expect(await dynamoDB.items(in: "flat") == [["id": .string("a"), "v": .string("")]])
    }
}

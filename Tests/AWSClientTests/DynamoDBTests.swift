import AWSClient
import AWSTestSupport
import FoundationEssentials
import JSONSupport
import Testing

/// DynamoDB's JSON 1.0 requests as botocore's model shapes them, and its answers and errors, against a scripted
/// transport.
@Suite("DynamoDB")
struct DynamoDBTests {
    static let key: DynamoDBItem = ["pk": .string("site#1"), "sk": .int(7)]
    /// Every supported type, nested.
    static let item: DynamoDBItem = [
        "pk": .string("site#1"), "sk": .int(7), "big": .number("12345678901234567890.5"), "done": .bool(false),
        "gone": .null, "tags": .stringSet(["a", "b"]),
        "doc": .map([
            "paths": .list([.string("/a"), .int(-3), .map(["x": .null, "y": .bool(true)])]), "empty": .map([:]),
        ]),
    ]
    static let itemJSON = """
        {"pk":{"S":"site#1"},"sk":{"N":"7"},"big":{"N":"12345678901234567890.5"},"done":{"BOOL":false},\
        "gone":{"NULL":true},"tags":{"SS":["a","b"]},"doc":{"M":{"paths":{"L":[{"S":"/a"},{"N":"-3"},\
        {"M":{"x":{"NULL":true},"y":{"BOOL":true}}}]},"empty":{"M":{}}}}}
        """

    static func ok(_ body: String = "{}", headers: [HTTPHeader] = []) -> Result<HTTPResponse, AWSError> {
        .success(.text(200, body, headers: headers))
    }

    static func error(_ code: String, _ extra: String = "", status: Int = 400) -> Result<HTTPResponse, AWSError> {
        .success(
            .text(
                status, #"{"__type":"com.amazonaws.dynamodb.v20120810#\#(code)","message":"m"\#(extra)}"#,
                headers: [HTTPHeader("x-amzn-RequestId", "ddb-req")]))
    }

    func client(_ fake: FakeTransport, policy: RetryPolicy = .none, clock: VirtualClock = VirtualClock()) throws
        -> DynamoDBClient
    {
        try DynamoDBClient(
            configuration: configuration(retryPolicy: policy), transport: fake, clock: clock, random: { 0.5 })
    }

    /// The request's body, parsed (member order is the serialiser's business).
    func body(_ request: HTTPRequest?) throws -> JSONValue {
        try JSON.parse(try #require(request).body)
    }

    func expectJSON(_ request: HTTPRequest?, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        #expect(try body(request) == JSON.parse(expected), sourceLocation: sourceLocation)
    }

    func header(_ request: HTTPRequest?, _ name: String) -> String? {
        request?.headers.first { $0.name.lowercased() == name }?.value
    }

    @Test("GetItem: JSON 1.0, DynamoDB_20120810 target, consistent read; every type decodes; no Item is nil")
    func getItem() async throws {
        let fake = FakeTransport([Self.ok(#"{"Item":\#(Self.itemJSON)}"#), Self.ok()])
        let dynamo = try client(fake)
        #expect(try await dynamo.getItem(table: "state", key: Self.key) == Self.item)
        #expect(try await dynamo.getItem(table: "state", key: Self.key, consistentRead: false) == nil)
        let request = fake.requests.first
        #expect(request?.url == "https://dynamodb.eu-west-1.amazonaws.com/")
        #expect(request?.method == "POST")
        #expect(header(request, "content-type") == "application/x-amz-json-1.0")
        #expect(header(request, "x-amz-target") == "DynamoDB_20120810.GetItem")
        #expect(header(request, "authorization")?.contains("/eu-west-1/dynamodb/aws4_request") == true)
        #expect(
            String(decoding: try #require(request).body, as: UTF8.self)
                == #"{"ConsistentRead":true,"Key":{"pk":{"S":"site#1"},"sk":{"N":"7"}},"TableName":"state"}"#)
        #expect(try body(fake.requests.last)["ConsistentRead"] == .bool(false))
    }

    @Test("PutItem sends every type and only the names and values its condition uses")
    func putItem() async throws {
        let fake = FakeTransport([Self.ok(), Self.ok()])
        let dynamo = try client(fake)
        try await dynamo.putItem(
            table: "state", item: Self.item, condition: "attribute_not_exists(#pk) OR #v < :v",
            names: ["#pk": "pk", "#v": "version", "#unused": "x"], values: [":v": .int(3), ":unused": .bool(true)])
        try await dynamo.putItem(table: "state", item: ["pk": .string("a")], names: ["#x": "x"], values: [":x": .null])
        #expect(header(fake.requests.first, "x-amz-target") == "DynamoDB_20120810.PutItem")
        try expectJSON(
            fake.requests.first,
            """
            {"TableName":"state","Item":\(Self.itemJSON),\
            "ConditionExpression":"attribute_not_exists(#pk) OR #v < :v",\
            "ExpressionAttributeNames":{"#pk":"pk","#v":"version"},"ExpressionAttributeValues":{":v":{"N":"3"}}}
            """)
        try expectJSON(fake.requests.last, #"{"TableName":"state","Item":{"pk":{"S":"a"}}}"#)
    }

    @Test("UpdateItem: ALL_NEW answers the item, NONE answers nil; names from both expressions")
    func updateItem() async throws {
        let fake = FakeTransport([Self.ok(#"{"Attributes":\#(Self.itemJSON)}"#), Self.ok()])
        let dynamo = try client(fake)
        let updated = try await dynamo.updateItem(
            table: "state", key: Self.key, update: "SET #n = :n ADD #c :one", condition: "#n < :n",
            names: ["#n": "next", "#c": "count", "#z": "z"], values: [":n": .int(9), ":one": .int(1), ":z": .null],
            returnNewValues: true)
        #expect(updated == Self.item)
        #expect(try await dynamo.updateItem(table: "state", key: Self.key, update: "REMOVE lease") == nil)
        try expectJSON(
            fake.requests.first,
            """
            {"TableName":"state","Key":{"pk":{"S":"site#1"},"sk":{"N":"7"}},"UpdateExpression":"SET #n = :n ADD #c :one",\
            "ConditionExpression":"#n < :n","ReturnValues":"ALL_NEW",\
            "ExpressionAttributeNames":{"#n":"next","#c":"count"},\
            "ExpressionAttributeValues":{":n":{"N":"9"},":one":{"N":"1"}}}
            """)
        try expectJSON(
            fake.requests.last,
            #"{"TableName":"state","Key":{"pk":{"S":"site#1"},"sk":{"N":"7"}},"UpdateExpression":"REMOVE lease","ReturnValues":"NONE"}"#
        )
    }

    @Test("DeleteItem with a condition; without one, no expression fields at all")
    func deleteItem() async throws {
        let fake = FakeTransport([Self.ok(), Self.ok()])
        let dynamo = try client(fake)
        try await dynamo.deleteItem(
            table: "state", key: Self.key, condition: "#o = :me", names: ["#o": "owner"], values: [":me": .string("x")])
        try await dynamo.deleteItem(table: "state", key: Self.key, values: [":me": .string("x")])
        #expect(header(fake.requests.first, "x-amz-target") == "DynamoDB_20120810.DeleteItem")
        try expectJSON(
            fake.requests.first,
            """
            {"TableName":"state","Key":{"pk":{"S":"site#1"},"sk":{"N":"7"}},"ConditionExpression":"#o = :me",\
            "ExpressionAttributeNames":{"#o":"owner"},"ExpressionAttributeValues":{":me":{"S":"x"}}}
            """)
        try expectJSON(fake.requests.last, #"{"TableName":"state","Key":{"pk":{"S":"site#1"},"sk":{"N":"7"}}}"#)
    }

    @Test("Query: one page with Limit and ExclusiveStartKey; queryAll follows LastEvaluatedKey to the end")
    func query() async throws {
        let page1 =
            #"{"Items":[{"pk":{"S":"p"},"sk":{"N":"1"}}],"Count":1,"LastEvaluatedKey":{"pk":{"S":"p"},"sk":{"N":"1"}}}"#
        let page2 = #"{"Items":[],"Count":0,"LastEvaluatedKey":{"pk":{"S":"p"},"sk":{"N":"2"}}}"#
        let page3 = #"{"Items":[{"pk":{"S":"p"},"sk":{"N":"3"}}],"Count":1}"#
        let fake = FakeTransport([Self.ok(page1), Self.ok(page1), Self.ok(page2), Self.ok(page3)])
        let dynamo = try client(fake)
        let page = try await dynamo.query(
            table: "state", keyCondition: "#pk = :pk", names: ["#pk": "pk"], values: [":pk": .string("p")],
            exclusiveStartKey: ["pk": .string("p"), "sk": .int(0)], limit: 1)
        #expect(page.items == [["pk": .string("p"), "sk": .int(1)]])
        #expect(page.lastEvaluatedKey == ["pk": .string("p"), "sk": .int(1)])
        try expectJSON(
            fake.requests.first,
            """
            {"TableName":"state","KeyConditionExpression":"#pk = :pk","ConsistentRead":true,"Limit":1,\
            "ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"0"}},"ExpressionAttributeNames":{"#pk":"pk"},\
            "ExpressionAttributeValues":{":pk":{"S":"p"}}}
            """)
        #expect(header(fake.requests.first, "x-amz-target") == "DynamoDB_20120810.Query")

        let all = try await dynamo.queryAll(
            table: "state", keyCondition: "pk = :pk", values: [":pk": .string("p")], consistentRead: false)
        #expect(all.compactMap { $0["sk"]?.int64Value } == [1, 3])
        let starts = try fake.requests.dropFirst().map { try body($0)["ExclusiveStartKey"] }
        #expect(
            starts == [
                nil, try JSON.parse(#"{"pk":{"S":"p"},"sk":{"N":"1"}}"#),
                try JSON.parse(#"{"pk":{"S":"p"},"sk":{"N":"2"}}"#),
            ])
        #expect(try body(fake.requests.last)["ConsistentRead"] == .bool(false))
        #expect(try body(fake.requests.last)["Limit"] == nil)
    }

    @Test("TransactWriteItems: each action carries only the names and values its own expressions use")
    func transact() async throws {
        let fake = FakeTransport([Self.ok()])
        try await client(fake).transactWriteItems(
            [
                .put(
                    table: "batches", item: ["pk": .string("b1"), "n": .int(1)], condition: "attribute_not_exists(pk)"),
                .update(table: "state", key: ["pk": .string("s")], update: "SET #v = :v", condition: "#v < :v"),
                .delete(table: "leases", key: ["pk": .string("l")]),
                .conditionCheck(table: "locks", key: ["pk": .string("k")], condition: "#o = :me"),
            ],
            names: ["#v": "version", "#o": "owner"], values: [":v": .int(4), ":me": .string("inv-1")],
            clientRequestToken: "token-1")
        let request = fake.requests.first
        #expect(header(request, "x-amz-target") == "DynamoDB_20120810.TransactWriteItems")
        #expect(header(request, "content-type") == "application/x-amz-json-1.0")
        try expectJSON(
            request,
            """
            {"ClientRequestToken":"token-1","TransactItems":[\
            {"Put":{"TableName":"batches","Item":{"pk":{"S":"b1"},"n":{"N":"1"}},\
            "ConditionExpression":"attribute_not_exists(pk)"}},\
            {"Update":{"TableName":"state","Key":{"pk":{"S":"s"}},"UpdateExpression":"SET #v = :v",\
            "ConditionExpression":"#v < :v","ExpressionAttributeNames":{"#v":"version"},\
            "ExpressionAttributeValues":{":v":{"N":"4"}}}},\
            {"Delete":{"TableName":"leases","Key":{"pk":{"S":"l"}}}},\
            {"ConditionCheck":{"TableName":"locks","Key":{"pk":{"S":"k"}},"ConditionExpression":"#o = :me",\
            "ExpressionAttributeNames":{"#o":"owner"},"ExpressionAttributeValues":{":me":{"S":"inv-1"}}}}]}
            """)
    }

    @Test("requests DynamoDB would refuse are refused before sending")
    func invalid() async throws {
        let fake = FakeTransport([])
        let dynamo = try client(fake)
        let put = DynamoDBWrite.put(table: "t", item: ["pk": .string("a")])
        let calls: [@Sendable () async throws -> Void] = [
            { _ = try await dynamo.query(table: "t", keyCondition: "pk = :p", limit: 0) },
            { try await dynamo.transactWriteItems([]) },
            { try await dynamo.transactWriteItems(Array(repeating: put, count: 101)) },
            { try await dynamo.transactWriteItems([put], clientRequestToken: String(repeating: "x", count: 37)) },
            { try await dynamo.transactWriteItems([put], clientRequestToken: "") },
        ]
        for call in calls {
            await #expect { try await call() } throws: { ($0 as? AWSError)?.kind == .invalidRequest }
        }
        #expect(fake.requests.isEmpty)
    }

    @Test("an unsupported type (binary) in an answer is a malformed response")
    func unsupportedType() async throws {
        let fake = FakeTransport([Self.ok(#"{"Item":{"pk":{"S":"a"},"blob":{"B":"AAE="}}}"#)])
        await #expect { try await client(fake).getItem(table: "t", key: ["pk": .string("a")]) } throws: {
            ($0 as? AWSError)?.kind == .malformedResponse
        }
    }

    @Test("accessors read their own case only")
    func accessors() {
        #expect(DynamoDBValue.int(-42) == .number("-42"))
        #expect(DynamoDBValue.int(Int64.max).int64Value == Int64.max)
        #expect(DynamoDBValue.number("1.5").int64Value == nil)
        #expect(DynamoDBValue.string("7").int64Value == nil)
        #expect(DynamoDBValue.string("s").stringValue == "s" && DynamoDBValue.null.stringValue == nil)
        #expect(DynamoDBValue.list([.null]).listValue == [.null] && DynamoDBValue.stringSet(["a"]).listValue == nil)
    }
}

/// DynamoDB's failures: which are retried (botocore's standard mode), and how a failed condition shows.
@Suite("DynamoDB errors")
struct DynamoDBErrorTests {
    let dynamo = DynamoDBTests()

    @Test("ConditionalCheckFailedException is a conditional failure and is never retried")
    func conditionalCheck() async throws {
        let fake = FakeTransport([DynamoDBTests.error("ConditionalCheckFailedException"), DynamoDBTests.ok()])
        let clock = VirtualClock()
        let client = try dynamo.client(fake, policy: .standard, clock: clock)
        await #expect {
            try await client.putItem(table: "t", item: ["pk": .string("a")], condition: "attribute_not_exists(pk)")
        } throws: { error in
            let error = error as? AWSError
            return error?.code == "ConditionalCheckFailedException" && error?.isConditionalCheckFailure == true
                && error?.cancellationReasons == nil && error?.requestId == "ddb-req"
        }
        #expect(fake.requests.count == 1)
        #expect(clock.slept.count == 0)
    }

    @Test(
        "TransactionCanceledException: reasons from CancellationReasons, else from the message; never retried",
        arguments: [
            (
                #","CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]"#,
                ["None", "ConditionalCheckFailed"], true
            ),
            (
                #","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]""#,
                ["None", "TransactionConflict"], false
            ),
        ])
    func cancelled(extra: String, reasons: [String], conditional: Bool) async throws {
        // The message-only form: DynamoDB's own text, which the `message` member would otherwise shadow.
        let body =
            extra.contains("CancellationReasons")
            ? DynamoDBTests.error("TransactionCanceledException", extra)
            : .success(
                .text(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException"\#(extra)}"#))
        let fake = FakeTransport([body, DynamoDBTests.ok()])
        let client = try dynamo.client(fake, policy: .standard)
        await #expect {
            try await client.transactWriteItems([
                .put(table: "t", item: ["pk": .string("a")]), .conditionCheck(table: "t", key: [:], condition: "c"),
            ])
        } throws: { error in
            let error = error as? AWSError
            return error?.cancellationReasons == reasons && error?.isConditionalCheckFailure == conditional
        }
        #expect(fake.requests.count == 1, "a cancelled transaction is not retried, whatever its reasons (botocore)")
    }

    @Test("TransactionConflictException is not retried (botocore's standard mode does not list it)")
    func conflict() async throws {
        let fake = FakeTransport([DynamoDBTests.error("TransactionConflictException"), DynamoDBTests.ok()])
        await #expect {
            try await dynamo.client(fake, policy: .standard).updateItem(
                table: "t", key: ["pk": .string("a")], update: "SET a = :a", values: [":a": .null])
        } throws: { ($0 as? AWSError)?.isConditionalCheckFailure == false }
        #expect(fake.requests.count == 1)
    }

    @Test(
        "throttling, server errors and replicated write conflicts are retried",
        arguments: [
            ("ProvisionedThroughputExceededException", 400), ("ThrottlingException", 400),
            ("RequestLimitExceeded", 400),
            ("InternalServerError", 500), ("ReplicatedWriteConflictException", 409),
        ])
    func retried(code: String, status: Int) async throws {
        let fake = FakeTransport([
            DynamoDBTests.error(code, status: status), DynamoDBTests.ok(#"{"Item":{"pk":{"S":"a"}}}"#),
        ])
        let clock = VirtualClock()
        let item = try await dynamo.client(fake, policy: .standard, clock: clock).getItem(
            table: "t", key: ["pk": .string("a")])
        #expect(item == ["pk": .string("a")])
        #expect(fake.requests.count == 2)
        #expect(clock.slept.count == 1)
    }

    @Test("a body that does not match x-amz-crc32 is retried, as botocore retries it; a matching one passes")
    func crc32() async throws {
        let body = #"{"Item":{"pk":{"S":"a"}}}"#
        let good = DynamoDBTests.ok(body, headers: [HTTPHeader("x-amz-crc32", "642333050")])
        let bad = DynamoDBTests.ok(body, headers: [HTTPHeader("X-Amz-Crc32", "642333051")])
        let fake = FakeTransport([bad, good])
        let client = try dynamo.client(fake, policy: .standard)
        #expect(try await client.getItem(table: "t", key: ["pk": .string("a")]) == ["pk": .string("a")])
        #expect(fake.requests.count == 2)

        let always = FakeTransport([bad, bad, bad])
        await #expect { try await dynamo.client(always, policy: .standard).getItem(table: "t", key: [:]) } throws: {
            error in
            let error = error as? AWSError
            return error?.code == AWSError.checksumMismatchCode && error?.kind == .malformedResponse
                && error?.isRetryable == true
        }
        #expect(always.requests.count == 3)

        // An error answer is checked too (botocore checks whatever response carries the header).
        let badError = HTTPResponse.text(
            400, #"{"__type":"ConditionalCheckFailedException"}"#, headers: [HTTPHeader("x-amz-crc32", "1")])
        let retriedError = FakeTransport([.success(badError), good])
        #expect(try await dynamo.client(retriedError, policy: .standard).getItem(table: "t", key: [:]) != nil)
    }
}

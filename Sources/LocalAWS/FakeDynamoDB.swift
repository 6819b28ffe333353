import AWSClient
import FoundationEssentials
import JSONSupport

/// DynamoDB's item API as documented, strict where moto is lax, for fast chaos tests on a virtual clock: GetItem,
/// PutItem, UpdateItem, DeleteItem, Query and TransactWriteItems over AWS JSON 1.0 (`POST /`,
/// `X-Amz-Target: DynamoDB_20120810.<Operation>`), called in-process (`transport`).
///
/// Built from botocore's model (`dynamodb/2012-08-10/service-2.json`) and the developer guide's pages on
/// expressions, reserved words and limits: condition and update expressions are parsed (a subset of the grammar,
/// `DynamoDBExpressionParser`), placeholders must be defined and used, reserved words refused, key attributes
/// checked, items limited to 400 KB, Query pages end at `Limit` or 1 MB, transactions are all-or-nothing with
/// their cancellation reasons in order. Whatever lies outside the subset (other operations' parameters, nested
/// paths, binary and number-set values, `contains`, `DELETE` clauses, `FilterExpression`, `ProjectionExpression`,
/// indexes) is a ValidationException naming the fake, so a test never passes on a form the fake would misread.
///
/// Faults (`injectFaults`) answer an error without doing the work, drop the connection, or do the work and then lose
/// its answer (`FakeAWSFault.afterWork`): the write whose caller crashed or timed out.
public final class FakeDynamoDB: Sendable {
    public typealias Fault = FakeAWSFault

    /// What a fault injector is told of each request.
    public struct RequestInfo: Sendable {
        /// The operation (`PutItem`, `TransactWriteItems`, …) from `X-Amz-Target`.
        public var operation: String
        /// `TableName`; for `TransactWriteItems`, the first action's.
        public var table: String?
        public var time: Date
    }

    /// How requests were answered, per operation.
    public struct Counters: Sendable, Equatable {
        public var requests: [String: Int] = [:]
        /// `ConditionalCheckFailedException` answers.
        public var conditionalCheckFailures: [String: Int] = [:]
        public var transactionsCancelled = 0
        /// Injected faults, per operation.
        public var faults: [String: Int] = [:]
        /// ValidationException answers (the fake's refusals of what it does not support included).
        public var validationErrors: [String: Int] = [:]

        public var totalRequests: Int { requests.values.reduce(0, +) }
    }

    let state: State

    /// `clock` stamps what the fault injector is told and the 10-minute window of transaction tokens.
    public init(clock: any AWSClock = SystemClock()) {
        state = State(clock: clock)
    }

    /// The fake called in-process: a dropped connection (`reset`, `afterWork(.reset)`) is a transport error, as
    /// `HTTP1Transport` reports one.
    public var transport: any HTTPTransport {
        let state = self.state
        return JSONFakeTransport { await state.serve($0) }
    }

    /// Creates an empty table keyed on string attributes (`sortKey` nil: a partition key only).
    public func createTable(_ name: String, partitionKey: String, sortKey: String? = nil) async {
        await state.createTable(Table(name: name, partitionKey: partitionKey, sortKey: sortKey))
    }

    /// Every request's fault is asked of `injector`; nil removes it.
    public func injectFaults(_ injector: (@Sendable (RequestInfo) -> Fault?)?) async {
        await state.setInjector(injector)
    }

    /// The table's items, in key order (partition key, then sort key, by UTF-8 bytes); empty for an unknown table.
    public func items(in table: String) async -> [Item] { await state.items(in: table) }

    /// Stores `item` as is, bypassing the API (a test's starting state). It must hold the table's keys.
    public func seed(_ item: Item, in table: String) async { await state.seed(item, in: table) }

    public var counters: Counters {
        get async { await state.counters }
    }

    /// One table: items by partition key, then sort key (the empty string when the table has none).
    struct Table: Sendable {
        let name: String
        let partitionKey: String
        let sortKey: String?
        var partitions: [String: [String: Item]] = [:]

        var keyNames: Set<String> { sortKey.map { [partitionKey, $0] } ?? [partitionKey] }

        func key(of item: Item) -> ItemKey? {
            guard case .string(let partition)? = item[partitionKey] else { return nil }
            guard let sortKey else { return ItemKey(partition: partition, sort: "") }
            guard case .string(let sort)? = item[sortKey] else { return nil }
            return ItemKey(partition: partition, sort: sort)
        }

        subscript(key: ItemKey) -> Item? {
            get { partitions[key.partition]?[key.sort] }
            set { partitions[key.partition, default: [:]][key.sort] = newValue }
        }
    }

    struct ItemKey: Hashable, Sendable {
        var partition: String
        var sort: String
    }

    actor State {
        let clock: any AWSClock
        var tables: [String: Table] = [:]
        var injector: (@Sendable (RequestInfo) -> Fault?)?
        var counters = Counters()
        var sequence = 0
        /// `ClientRequestToken`s of TransactWriteItems: the request they came with, and when.
        var tokens: [String: (request: String, time: Date)] = [:]

        init(clock: any AWSClock) { self.clock = clock }

        func createTable(_ table: Table) { tables[table.name] = table }
        func setInjector(_ injector: (@Sendable (RequestInfo) -> Fault?)?) { self.injector = injector }

        func items(in name: String) -> [Item] {
            guard let table = tables[name] else { return [] }
            return table.partitions.keys.sorted(by: Self.utf8Less).flatMap { partition in
                let items = table.partitions[partition] ?? [:]
                return items.keys.sorted(by: Self.utf8Less).compactMap { items[$0] }
            }
        }

        func seed(_ item: Item, in name: String) {
            guard let key = tables[name]?.key(of: item) else { return }
            tables[name]?[key] = item
        }

        static func utf8Less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

        /// Answers a request, faults included: nil when the connection is dropped.
        func serve(_ request: HTTPRequest) -> HTTPResponse? {
            sequence += 1
            let requestId = "FAKEDDB\(sequence)"
            let target = request.headers.first { $0.name.lowercased() == "x-amz-target" }?.value ?? ""
            let prefix = "DynamoDB_20120810."
            let operation = target.hasPrefix(prefix) ? String(target.dropFirst(prefix.count)) : "Unknown"
            counters.requests[operation, default: 0] += 1
            let body = try? JSON.parse(request.body)
            let table = body?["TableName"]?.string ?? body?["TransactItems"]?.array?.first.flatMap(Self.tableName)
            let fault = injector?(RequestInfo(operation: operation, table: table, time: clock.now()))
            guard let fault else { return handle(request, operation: operation, body: body, requestId: requestId) }
            counters.faults[operation, default: 0] += 1
            if case .afterWork = fault { _ = handle(request, operation: operation, body: body, requestId: requestId) }
            return JSONFake.faultReply(fault) { status, code, message in
                let failure = DynamoDBFailure.service(code, message, status: status)
                return JSONFake.response(status: status, body: failure.body, requestId: requestId)
            }
        }

        static func tableName(ofAction action: JSONValue) -> String? {
            guard case .object(let members) = action, let inner = members.values.first else { return nil }
            return inner["TableName"]?.string
        }

        func handle(_ request: HTTPRequest, operation: String, body: JSONValue?, requestId: String) -> HTTPResponse {
            do {
                let result = try dispatch(request, operation: operation, body: body)
                return JSONFake.response(status: 200, body: result, requestId: requestId)
            } catch {
                switch error.code {
                case "ConditionalCheckFailedException": counters.conditionalCheckFailures[operation, default: 0] += 1
                case "TransactionCanceledException": counters.transactionsCancelled += 1
                case "ValidationException": counters.validationErrors[operation, default: 0] += 1
                default: break
                }
                return JSONFake.response(status: error.status, body: error.body, requestId: requestId)
            }
        }

        func dispatch(
            _ request: HTTPRequest, operation: String, body: JSONValue?
        ) throws(DynamoDBFailure) -> JSONValue {
            let header = { (name: String) in request.headers.first { $0.name.lowercased() == name }?.value }
            guard let authorization = header("authorization"), authorization.contains("/dynamodb/aws4_request")
            else {
                throw DynamoDBFailure(
                    type: "com.amazon.coral.service#MissingAuthenticationTokenException",
                    message: "Request is missing Authentication Token")
            }
            guard request.method == "POST", request.path == "/",
                header("content-type") == "application/x-amz-json-1.0"
            else {
                throw DynamoDBFailure(
                    type: "com.amazon.coral.service#UnknownOperationException",
                    message: "expected POST / with Content-Type application/x-amz-json-1.0")
            }
            guard let body, body.isObject else {
                throw DynamoDBFailure(
                    type: "com.amazon.coral.service#SerializationException", message: "the body is not a JSON object")
            }
            switch operation {
            case "GetItem": return try getItem(body)
            case "PutItem": return try putItem(body)
            case "UpdateItem": return try updateItem(body)
            case "DeleteItem": return try deleteItem(body)
            case "Query": return try query(body)
            case "TransactWriteItems": return try transactWriteItems(body)
            default:
                throw DynamoDBFailure(
                    type: "com.amazon.coral.service#UnknownOperationException",
                    message: "FakeDynamoDB does not implement \(operation)")
            }
        }
    }
}

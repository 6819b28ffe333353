import JSONSupport

/// A function's configuration as `GetFunctionConfiguration` reports it: what `invalidator doctor` checks.
public struct LambdaFunctionConfiguration: Sendable, Equatable {
    public var functionName: String
    public var functionArn: String
    public var runtime: String
    public var handler: String
    /// The execution role's ARN.
    public var role: String
    public var timeoutSeconds: Int
    public var memoryMB: Int
    /// `Environment.Variables`. Configuration, possibly secret: shown only by name.
    public var environment: [String: String]
    /// `Environment.Error.Message`: Lambda could not decrypt the variables (a KMS key it may not use).
    public var environmentError: String?
    /// `State` (`Active`, `Pending`, `Failed`…), when reported.
    public var state: String?

    public init(
        functionName: String, functionArn: String, runtime: String, handler: String, role: String,
        timeoutSeconds: Int, memoryMB: Int, environment: [String: String], environmentError: String? = nil,
        state: String? = nil
    ) {
        self.functionName = functionName
        self.functionArn = functionArn
        self.runtime = runtime
        self.handler = handler
        self.role = role
        self.timeoutSeconds = timeoutSeconds
        self.memoryMB = memoryMB
        self.environment = environment
        self.environmentError = environmentError
        self.state = state
    }
}

/// An event source mapping as `ListEventSourceMappings` reports it.
public struct EventSourceMapping: Sendable, Equatable {
    public var uuid: String
    public var eventSourceArn: String
    public var functionArn: String
    /// `Enabled`, `Disabled`, `Creating`…
    public var state: String
    public var batchSize: Int?
    public var maximumBatchingWindowSeconds: Int?
    /// `ReportBatchItemFailures` when the function may report which records failed.
    public var functionResponseTypes: [String]
    /// `ScalingConfig.MaximumConcurrency`; nil when unset.
    public var maximumConcurrency: Int?

    public init(
        uuid: String, eventSourceArn: String, functionArn: String, state: String, batchSize: Int?,
        maximumBatchingWindowSeconds: Int?, functionResponseTypes: [String], maximumConcurrency: Int?
    ) {
        self.uuid = uuid
        self.eventSourceArn = eventSourceArn
        self.functionArn = functionArn
        self.state = state
        self.batchSize = batchSize
        self.maximumBatchingWindowSeconds = maximumBatchingWindowSeconds
        self.functionResponseTypes = functionResponseTypes
        self.maximumConcurrency = maximumConcurrency
    }
}

/// Lambda's REST-JSON API (botocore's `lambda/2015-03-31` model, signed as `lambda`): the reads of a function's
/// configuration, reserved concurrency and event source mappings.
public struct LambdaClient: AWSServiceAPI {
    public static let service = AWSService.lambda
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.json
    public let client: AWSServiceClient

    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `GET /2015-03-31/functions/{FunctionName}/configuration`.
    public func getFunctionConfiguration(
        name: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> LambdaFunctionConfiguration {
        let operation = "GetFunctionConfiguration"
        let document = try await get(
            operation, path: "/2015-03-31/functions/\(uriEncode(name, encodeSlash: true))/configuration",
            context: context)
        guard let arn = document["FunctionArn"]?.string else {
            throw malformed(operation, "response has no FunctionArn")
        }
        var environment: [String: String] = [:]
        if case .object(let variables)? = document["Environment"]?["Variables"] {
            for (name, value) in variables { environment[name] = value.scalarText ?? "" }
        }
        return LambdaFunctionConfiguration(
            functionName: document["FunctionName"]?.string ?? name, functionArn: arn,
            runtime: document["Runtime"]?.string ?? "", handler: document["Handler"]?.string ?? "",
            role: document["Role"]?.string ?? "", timeoutSeconds: Self.integer(document["Timeout"]) ?? 3,
            memoryMB: Self.integer(document["MemorySize"]) ?? 128, environment: environment,
            environmentError: document["Environment"]?["Error"]?["Message"]?.string,
            state: document["State"]?.string)
    }

    /// `GET /2019-09-30/functions/{FunctionName}/concurrency`: the reserved concurrency, nil when none is reserved.
    public func getFunctionConcurrency(
        name: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> Int? {
        let document = try await get(
            "GetFunctionConcurrency",
            path: "/2019-09-30/functions/\(uriEncode(name, encodeSlash: true))/concurrency", context: context)
        return Self.integer(document["ReservedConcurrentExecutions"])
    }

    /// `GET /2015-03-31/event-source-mappings?FunctionName=`, every page.
    public func listEventSourceMappings(
        functionName: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> [EventSourceMapping] {
        var mappings: [EventSourceMapping] = []
        var marker: String?
        var pages = 0
        repeat {
            var query = [QueryItem("FunctionName", functionName)]
            if let marker { query.append(QueryItem("Marker", marker)) }
            let document = try await get(
                "ListEventSourceMappings", path: "/2015-03-31/event-source-mappings", query: query, context: context)
            for item in document["EventSourceMappings"]?.array ?? [] {
                mappings.append(
                    EventSourceMapping(
                        uuid: item["UUID"]?.string ?? "", eventSourceArn: item["EventSourceArn"]?.string ?? "",
                        functionArn: item["FunctionArn"]?.string ?? "", state: item["State"]?.string ?? "",
                        batchSize: Self.integer(item["BatchSize"]),
                        maximumBatchingWindowSeconds: Self.integer(item["MaximumBatchingWindowInSeconds"]),
                        functionResponseTypes: (item["FunctionResponseTypes"]?.array ?? []).compactMap(\.string),
                        maximumConcurrency: Self.integer(item["ScalingConfig"]?["MaximumConcurrency"])))
            }
            marker = document["NextMarker"]?.string.flatMap { $0.isEmpty ? nil : $0 }
            pages += 1
        } while marker != nil && pages < 100
        return mappings
    }

    static func integer(_ value: JSONValue?) -> Int? {
        value?.scalarText.flatMap { Int($0) }
    }

    func get(
        _ operation: String, path: String, query: [QueryItem] = [], context: AWSCallContext
    ) async throws(AWSError) -> JSONValue {
        let response = try await client.send(
            operation: operation, method: "GET", path: path, query: query, context: context)
        if response.body.isEmpty { return .object([:]) }
        guard let document = try? JSON.parse(response.body), document.isObject else {
            throw malformed(operation, "response is not a JSON object")
        }
        return document
    }

    func malformed(_ operation: String, _ message: String) -> AWSError {
        AWSError(
            kind: .malformedResponse, code: "MalformedResponse", message: message, service: "lambda",
            operation: operation)
    }
}

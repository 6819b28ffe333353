import JSONSupport

/// A rule as `DescribeRule` reports it.
public struct EventBridgeRule: Sendable, Equatable {
    public var name: String
    public var arn: String
    /// The event pattern as JSON text; nil for a scheduled rule.
    public var eventPattern: String?
    /// `ENABLED`, `DISABLED`…
    public var state: String
    public var eventBusName: String

    public init(name: String, arn: String, eventPattern: String?, state: String, eventBusName: String = "default") {
        self.name = name
        self.arn = arn
        self.eventPattern = eventPattern
        self.state = state
        self.eventBusName = eventBusName
    }
}

/// EventBridge's JSON 1.1 API (`AWSEvents.<Operation>`, botocore's `events/2015-10-07` model, signed as `events`):
/// which rules send to a target (`ListRuleNamesByTarget`), and what they match (`DescribeRule`).
public struct EventBridgeClient: AWSServiceAPI {
    public static let service = AWSService.eventBridge
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.json
    public let client: AWSServiceClient

    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `ListRuleNamesByTarget` on the default bus, every page: the rules with a target of this ARN.
    public func listRuleNamesByTarget(
        targetArn: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> [String] {
        var names: [String] = []
        var token: String?
        var pages = 0
        repeat {
            var request: [String: JSONValue] = ["TargetArn": .string(targetArn)]
            if let token { request["NextToken"] = .string(token) }
            let document = try await client.sendJSON(
                operation: "ListRuleNamesByTarget", target: "AWSEvents.ListRuleNamesByTarget",
                body: .object(request), context: context)
            names += (document["RuleNames"]?.array ?? []).compactMap(\.string)
            token = document["NextToken"]?.string.flatMap { $0.isEmpty ? nil : $0 }
            pages += 1
        } while token != nil && pages < 100
        return names
    }

    /// `DescribeRule` on the default bus.
    public func describeRule(name: String, context: AWSCallContext = AWSCallContext()) async throws(AWSError)
        -> EventBridgeRule
    {
        let document = try await client.sendJSON(
            operation: "DescribeRule", target: "AWSEvents.DescribeRule", body: .object(["Name": .string(name)]),
            context: context)
        return EventBridgeRule(
            name: document["Name"]?.string ?? name, arn: document["Arn"]?.string ?? "",
            eventPattern: document["EventPattern"]?.string, state: document["State"]?.string ?? "",
            eventBusName: document["EventBusName"]?.string ?? "default")
    }
}

import Formats

/// One answer of the policy simulator: may `action` be called on `resource`.
public struct SimulationResult: Sendable, Equatable {
    public var action: String
    public var resource: String
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    public var decision: String

    public init(action: String, resource: String, decision: String) {
        self.action = action
        self.resource = resource
        self.decision = decision
    }

    public var isAllowed: Bool { decision == "allowed" }
}

/// IAM's query API (botocore's `iam/2010-05-08` model, signed as `iam` for us-east-1 on the global endpoint):
/// `SimulatePrincipalPolicy`, to ask what a role may call without calling it.
///
/// The query protocol as STS speaks it (`STSClient`): a form-encoded `POST /`, lists as `Name.member.N`, answers
/// wrapped in `<SimulatePrincipalPolicyResponse><SimulatePrincipalPolicyResult>`, errors read by `AWSError.restXML`.
public struct IAMClient: AWSServiceAPI {
    public static let service = AWSService.iam
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.restXML
    public static let apiVersion = "2010-05-08"
    public let client: AWSServiceClient

    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `SimulatePrincipalPolicy` for every action on every resource (`*` when none is given), every page.
    public func simulatePrincipalPolicy(
        policySourceArn: String, actions: [String], resources: [String], context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> [SimulationResult] {
        let operation = "SimulatePrincipalPolicy"
        var results: [SimulationResult] = []
        var marker: String?
        var pages = 0
        repeat {
            var pairs = [("Action", operation), ("Version", Self.apiVersion), ("PolicySourceArn", policySourceArn)]
            for (index, action) in actions.enumerated() { pairs.append(("ActionNames.member.\(index + 1)", action)) }
            for (index, resource) in resources.enumerated() {
                pairs.append(("ResourceArns.member.\(index + 1)", resource))
            }
            if let marker { pairs.append(("Marker", marker)) }
            let body = pairs.map { uriEncode($0.0, encodeSlash: true) + "=" + uriEncode($0.1, encodeSlash: true) }
                .joined(separator: "&")
            let response = try await client.send(
                operation: operation, method: "POST", path: "/",
                headers: [HTTPHeader("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
                body: Array(body.utf8), context: context)
            guard let root = try? XML.parse(response.body), root.localName == "SimulatePrincipalPolicyResponse",
                let result = root.child("SimulatePrincipalPolicyResult")
            else {
                throw AWSError(
                    kind: .malformedResponse, code: "MalformedResponse",
                    message: "the answer is not a SimulatePrincipalPolicyResponse", statusCode: response.statusCode,
                    requestId: response.requestId, service: "iam", operation: operation)
            }
            for member in result.child("EvaluationResults")?.children(named: "member") ?? [] {
                results.append(
                    SimulationResult(
                        action: member["EvalActionName"]?.trimmingWhitespace() ?? "",
                        resource: member["EvalResourceName"]?.trimmingWhitespace() ?? "",
                        decision: member["EvalDecision"]?.trimmingWhitespace() ?? ""))
            }
            let truncated = result["IsTruncated"]?.trimmingWhitespace() == "true"
            marker = truncated ? result["Marker"]?.trimmingWhitespace() : nil
            pages += 1
        } while marker != nil && pages < 100
        return results
    }
}

import AWSClient

/// IAM's `SimulatePrincipalPolicy` (moto 5.2 does not implement it) over the query protocol, strict to botocore's
/// `iam/2010-05-08` model, called in-process (`transport`), for the doctor's permission checks.
///
/// A role's permissions are reduced to identity-policy statements: `Allow` or `Deny`, actions and resources as IAM
/// globs (`*` and `?`, actions case-insensitive). The evaluation is IAM's for that subset: an explicit deny wins,
/// then an allow, else `implicitDeny`. Requests must be SigV4-signed for `iam` in us-east-1 (the global
/// endpoint's scope); an unknown role is `NoSuchEntity` (404); a caller in `deniedCallers` (by access key id) is
/// `AccessDenied` (403), as IAM answers an operator without `iam:SimulatePrincipalPolicy`. Parameters the fake does
/// not model (policy inputs, context entries, caller ARN) are refused naming the fake, so no test passes on one it
/// would ignore.
public final class FakeIAM: Sendable {
    /// One statement of a role's identity policies.
    public struct Statement: Sendable, Equatable {
        public var allows: Bool
        public var actions: [String]
        public var resources: [String]

        public static func allow(_ actions: [String], on resources: [String] = ["*"]) -> Statement {
            Statement(allows: true, actions: actions, resources: resources)
        }

        public static func deny(_ actions: [String], on resources: [String] = ["*"]) -> Statement {
            Statement(allows: false, actions: actions, resources: resources)
        }
    }

    let state = State()

    public init() {}

    /// The fake called in-process.
    public var transport: any HTTPTransport {
        let state = self.state
        return JSONFakeTransport { await state.serve($0) }
    }

    /// Creates (or replaces) a role with these statements.
    public func putRole(_ arn: String, statements: [Statement]) async { await state.putRole(arn, statements) }

    /// Callers (access key ids) refused `SimulatePrincipalPolicy` itself.
    public func denyCaller(_ accessKeyId: String) async { await state.denyCaller(accessKeyId) }

    /// `SimulatePrincipalPolicy` requests answered, errors included.
    public var requests: Int { get async { await state.requests } }

    actor State {
        var roles: [String: [Statement]] = [:]
        var deniedCallers: Set<String> = []
        var requests = 0

        func putRole(_ arn: String, _ statements: [Statement]) { roles[arn] = statements }
        func denyCaller(_ accessKeyId: String) { deniedCallers.insert(accessKeyId) }

        func serve(_ request: HTTPRequest) -> HTTPResponse? {
            requests += 1
            let requestId = "1a3e0000-0000-4000-8000-\(String(1_000_000_000_000 + requests).dropFirst())"
            do throws(FakeSTS.Failure) {
                let body = try handle(request, requestId: requestId)
                return FakeSTS.xmlResponse(status: 200, body: body, requestId: requestId)
            } catch {
                return FakeIAM.errorResponse(error, requestId: requestId)
            }
        }

        func handle(_ request: HTTPRequest, requestId: String) throws(FakeSTS.Failure) -> String {
            let authorization = request.headers.first { $0.name.lowercased() == "authorization" }?.value ?? ""
            guard let scope = FakeSTS.credentialScope(ofAuthorization: authorization) else {
                throw FakeSTS.Failure(
                    status: 403, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token")
            }
            guard scope.service == "iam", scope.region == "us-east-1" else {
                throw FakeSTS.Failure(
                    status: 403, code: "SignatureDoesNotMatch",
                    message: "Credential should be scoped to a valid region and service 'iam'.")
            }
            guard let form = FakeSTS.State.form(request), let action = form["Action"] else {
                throw FakeSTS.Failure(
                    code: "MissingAction", message: "FakeIAM takes a form-encoded POST / with an Action")
            }
            guard action == "SimulatePrincipalPolicy", form["Version"] == IAMClient.apiVersion else {
                throw FakeSTS.Failure(
                    code: "InvalidAction",
                    message: "Could not find operation \(action) for version \(form["Version"] ?? "NO_VERSION")")
            }
            guard !deniedCallers.contains(scope.accessKeyId) else {
                throw FakeSTS.Failure(
                    status: 403, code: "AccessDenied",
                    message: "User: \(scope.accessKeyId) is not authorized to perform: iam:SimulatePrincipalPolicy")
            }
            let (source, actions, resources) = try FakeIAM.parameters(form)
            guard let statements = roles[source] else {
                let name = source.split(separator: "/").last.map(String.init) ?? source
                throw FakeSTS.Failure(
                    status: 404, code: "NoSuchEntity", message: "The role with name \(name) cannot be found.")
            }
            var members = ""
            for action in actions {
                for resource in resources {
                    let decision = FakeIAM.decision(statements, action: action, resource: resource)
                    members +=
                        "<member><EvalActionName>\(XML.escape(action))</EvalActionName>"
                        + "<EvalResourceName>\(XML.escape(resource))</EvalResourceName>"
                        + "<EvalDecision>\(decision)</EvalDecision></member>"
                }
            }
            return "<SimulatePrincipalPolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                + "<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>\(members)"
                + "</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>\(requestId)"
                + "</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>"
        }
    }

    /// `PolicySourceArn` (`arnType`, 20 to 2048 characters), `ActionNames.member.N` (required, each
    /// `ActionNameType`, 3 to 128) and `ResourceArns.member.N` (default `*`), numbered from 1 without gaps.
    static func parameters(
        _ form: [String: String]
    ) throws(FakeSTS.Failure) -> (source: String, actions: [String], resources: [String]) {
        for name in form.keys.sorted()
        where !["Action", "Version", "PolicySourceArn", "MaxItems", "Marker"].contains(name)
            && !name.hasPrefix("ActionNames.member.") && !name.hasPrefix("ResourceArns.member.")
        {
            throw FakeSTS.Failure(code: "ValidationError", message: "FakeIAM does not support the parameter \(name)")
        }
        guard let source = form["PolicySourceArn"] else { throw .constraint("policySourceArn", nil, "not be null") }
        guard (20...2048).contains(source.utf8.count) else {
            throw .constraint("policySourceArn", source, "have length between 20 and 2048")
        }
        let actions = try list(form, "ActionNames")
        guard !actions.isEmpty else { throw .constraint("actionNames", nil, "not be null") }
        for action in actions where !(3...128).contains(action.utf8.count) {
            throw .constraint("actionNames", action, "have length between 3 and 128")
        }
        let resources = try list(form, "ResourceArns")
        return (source, actions, resources.isEmpty ? ["*"] : resources)
    }

    static func list(_ form: [String: String], _ name: String) throws(FakeSTS.Failure) -> [String] {
        let count = form.keys.filter { $0.hasPrefix(name + ".member.") }.count
        var values: [String] = []
        for index in 0..<count {
            guard let value = form["\(name).member.\(index + 1)"] else {
                throw FakeSTS.Failure(code: "MalformedInput", message: "\(name) members are not numbered 1 to \(count)")
            }
            values.append(value)
        }
        return values
    }

    /// IAM's evaluation for identity statements: an explicit deny wins, then an allow, else an implicit deny.
    static func decision(_ statements: [Statement], action: String, resource: String) -> String {
        let matching = statements.filter { statement in
            statement.actions.contains { glob($0.lowercased(), action.lowercased()) }
                && statement.resources.contains { glob($0, resource) }
        }
        if matching.contains(where: { !$0.allows }) { return "explicitDeny" }
        if matching.contains(where: \.allows) { return "allowed" }
        return "implicitDeny"
    }

    /// IAM's wildcards: `*` any run of characters, `?` any one.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let pattern = Array(pattern.unicodeScalars)
        let text = Array(text.unicodeScalars)
        var (p, t, star, mark) = (0, 0, -1, 0)
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                mark = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    static func errorResponse(_ failure: FakeSTS.Failure, requestId: String) -> HTTPResponse {
        let body = """
            <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>\
            <Type>\(failure.isSender ? "Sender" : "Receiver")</Type><Code>\(XML.escape(failure.code))</Code>\
            <Message>\(XML.escape(failure.message))</Message></Error><RequestId>\(requestId)</RequestId></ErrorResponse>
            """
        return FakeSTS.xmlResponse(status: failure.status, body: body, requestId: requestId)
    }
}

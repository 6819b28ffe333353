import AWSClient
import Crypto
import Formats
import FoundationEssentials

extension FakeSTS {
    /// The parameters of one `AssumeRole`, checked.
    struct Call {
        var roleArn: String
        var sessionName: String
        var externalId: String?
        var durationSeconds: Int
    }

    actor State {
        let clock: any AWSClock
        let region: String?
        var roles: [String: Role] = [:]
        var injector: (@Sendable (RequestInfo) -> Fault?)?
        var issued: [Issued] = []
        var counters = Counters()
        var sequence = 0

        init(clock: any AWSClock, region: String?) {
            self.clock = clock
            self.region = region
        }

        func createRole(_ role: Role) { roles[role.arn] = role }
        func setInjector(_ injector: (@Sendable (RequestInfo) -> Fault?)?) { self.injector = injector }

        /// Answers a request, faults included: nil when the connection is dropped.
        func serve(_ request: HTTPRequest) -> HTTPResponse? {
            sequence += 1
            counters.requests += 1
            let requestId = "fa6e5775-0000-4000-8000-\(String(1_000_000_000_000 + sequence).dropFirst())"
            let form = Self.form(request)
            let caller = request.headers.first { $0.name.lowercased() == "authorization" }
                .flatMap { FakeSTS.credentialScope(ofAuthorization: $0.value) }
            let info = RequestInfo(
                action: form?["Action"] ?? "", roleArn: form?["RoleArn"], callerAccessKeyId: caller?.accessKeyId,
                time: clock.now())
            guard let fault = injector?(info) else { return handle(request, form: form, requestId: requestId) }
            counters.faults += 1
            if case .afterWork = fault { _ = handle(request, form: form, requestId: requestId) }
            return JSONFake.faultReply(fault) { status, code, message in
                Failure(status: status, code: code, message: message).response(requestId: requestId)
            }
        }

        func handle(_ request: HTTPRequest, form: [String: String]?, requestId: String) -> HTTPResponse {
            do throws(Failure) {
                let caller = try authenticate(request)
                guard let form, let action = form["Action"] else {
                    throw Failure(code: "MissingAction", message: "FakeSTS takes a form-encoded POST / with an Action")
                }
                guard action == "AssumeRole", form["Version"] == STSClient.apiVersion else {
                    throw Failure(
                        code: "InvalidAction",
                        message: "Could not find operation \(action) for version \(form["Version"] ?? "NO_VERSION")")
                }
                let call = try Self.parameters(form)
                let body = try assumeRole(call, caller: caller, requestId: requestId)
                return FakeSTS.xmlResponse(status: 200, body: body, requestId: requestId)
            } catch {
                switch error.code {
                case "AccessDenied": counters.accessDenied += 1
                case "ValidationError": counters.validationErrors += 1
                default: counters.rejected += 1
                }
                return error.response(requestId: requestId)
            }
        }

        /// The caller's access key id, from a SigV4 Authorization scoped to `sts` (and the fake's region, when set);
        /// credentials the fake issued must come with their session token and be within their lifetime.
        func authenticate(_ request: HTTPRequest) throws(Failure) -> String {
            let header = { (name: String) in request.headers.first { $0.name.lowercased() == name }?.value }
            guard let authorization = header("authorization") else {
                throw Failure(
                    status: 403, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token")
            }
            guard let scope = FakeSTS.credentialScope(ofAuthorization: authorization) else {
                throw Failure(
                    status: 403, code: "IncompleteSignature", message: "the Authorization header is not SigV4")
            }
            guard scope.service == "sts" else {
                throw Failure(
                    status: 403, code: "SignatureDoesNotMatch",
                    message: "Credential should be scoped to correct service: 'sts'.")
            }
            if let region, scope.region != region {
                throw Failure(
                    status: 403, code: "SignatureDoesNotMatch",
                    message: "Credential should be scoped to a valid region.")
            }
            if let own = issued.first(where: { $0.credentials.accessKeyId == scope.accessKeyId }) {
                guard header("x-amz-security-token") == own.credentials.sessionToken else {
                    throw Failure(
                        status: 403, code: "InvalidClientTokenId",
                        message: "The security token included in the request is invalid.")
                }
                guard clock.now() < own.expiration else {
                    throw Failure(
                        status: 403, code: "ExpiredToken",
                        message: "The security token included in the request is expired")
                }
            }
            return scope.accessKeyId
        }

        /// Issues credentials when the role trusts the caller and the external id matches; the answer's XML.
        func assumeRole(_ call: Call, caller: String, requestId: String) throws(Failure) -> String {
            let principal = issued.first { $0.credentials.accessKeyId == caller }?.assumedRoleArn ?? caller
            guard let role = roles[call.roleArn], role.trustedAccessKeyIds.contains(caller),
                role.externalId == nil || role.externalId == call.externalId
            else { throw .accessDenied(caller: principal, role: call.roleArn) }
            guard call.durationSeconds <= role.maximumSessionDuration else {
                throw Failure(
                    code: "ValidationError",
                    message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
            }
            let now = clock.now()
            let parts = call.roleArn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            let roleName = parts[5].split(separator: "/").last.map(String.init) ?? ""
            let assumedRoleArn = "arn:\(parts[1]):sts::\(parts[4]):assumed-role/\(roleName)/\(call.sessionName)"
            let roleId = "AROA" + Self.base32(Self.digest("role \(call.roleArn)"), count: 17)
            let credentials = Self.credentials(sequence: sequence, roleArn: call.roleArn)
            let expiration = now.addingTimeInterval(Double(call.durationSeconds))
            issued.append(
                Issued(
                    roleArn: call.roleArn, sessionName: call.sessionName, externalId: call.externalId,
                    callerAccessKeyId: caller, credentials: credentials, issuedAt: now, expiration: expiration,
                    assumedRoleArn: assumedRoleArn))
            counters.issued += 1
            return """
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>\
                <AssumedRoleUser><AssumedRoleId>\(roleId):\(call.sessionName)</AssumedRoleId>\
                <Arn>\(XML.escape(assumedRoleArn))</Arn></AssumedRoleUser><Credentials>\
                <AccessKeyId>\(credentials.accessKeyId)</AccessKeyId>\
                <SecretAccessKey>\(XML.escape(credentials.secretAccessKey))</SecretAccessKey>\
                <SessionToken>\(XML.escape(credentials.sessionToken ?? ""))</SessionToken>\
                <Expiration>\(RFC3339.format(expiration).prefix(19))Z</Expiration></Credentials></AssumeRoleResult>\
                <ResponseMetadata><RequestId>\(requestId)</RequestId></ResponseMetadata></AssumeRoleResponse>
                """
        }

        /// Fresh, deterministic credentials: an `ASIA` key id of 20 characters, a 40-character secret, a long token.
        static func credentials(sequence: Int, roleArn: String) -> AWSCredentials {
            let seed = digest("credentials \(sequence) \(roleArn)")
            let token = (0..<4).map { Data(digest("token \($0) \(sequence) \(roleArn)")).base64EncodedString() }
            return AWSCredentials(
                accessKeyId: "ASIA" + base32(seed, count: 16),
                secretAccessKey: String(Data(digest("secret \(sequence) \(roleArn)")).base64EncodedString().prefix(40)),
                sessionToken: "IQoJb3JpZ2luX2VjE" + token.joined())
        }

        static func digest(_ text: String) -> [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }

        static func base32(_ bytes: [UInt8], count: Int) -> String {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
            return String(bytes.prefix(count).map { alphabet[Int($0) % 32] })
        }
    }
}

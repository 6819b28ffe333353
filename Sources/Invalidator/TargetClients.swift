import AWSClient
import FoundationEssentials
import InvalidationCore

/// The CloudFront client each target is reached with: the function's own for a target without a role, one signed
/// with the assumed role's credentials for a target in another account.
///
/// Only that target's requests are signed with the role's credentials: a client is made for each call from the
/// cached credentials and never kept, so nothing else (SSM, SQS, the Runtime API, another account's target) can be
/// signed with them. A role that cannot be assumed fails that target's call with an error naming the role; the
/// caller hands its work back.
public struct TargetClients: Sendable {
    /// Signs with the function's own credentials.
    public var own: CloudFrontClient
    /// nil: no role can be assumed (a test's client, or a command without STS), and a target naming one fails.
    public var roles: RoleAccess?

    public init(own: CloudFrontClient, roles: RoleAccess? = nil) {
        self.own = own
        self.roles = roles
    }

    /// The clock every wait and deadline is measured on.
    public var clock: any AWSClock { own.client.clock }

    /// The client for `target`: the function's own, or one signed with its role's credentials.
    /// - Parameters:
    ///   - externalId: the external id a pipeline job gave for the target's role (nil: the configured one).
    ///   - session: names the role session (`RoleAccess.sessionName`).
    public func client(
        for target: CloudFrontTarget, externalId: String? = nil, session: String,
        context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> CloudFrontClient {
        try await client(roleArn: target.roleArn, externalId: externalId, session: session, context: context)
    }

    /// The client for an account: the function's own (nil), or the one a role in it gives.
    public func client(
        roleArn: String?, externalId: String? = nil, session: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> CloudFrontClient {
        guard let roleArn else { return own }
        guard let roles else {
            throw AWSError(
                kind: .invalidRequest, code: "NoRoleAccess",
                message: "role \(roleArn) is to be assumed, but no STS client is set up", service: "sts",
                operation: "AssumeRole")
        }
        let credentials = try await roles.credentials(
            roleArn: roleArn, externalId: externalId, session: session, context: context)
        return CloudFrontClient(client: own.client.signing(with: credentials))
    }
}

/// How the function assumes the roles its targets name: STS through a cache that keeps each role's credentials until
/// five minutes before they expire, and the external id each role's trust policy asks for.
public struct RoleAccess: Sendable {
    public let cache: RoleCredentialsCache
    /// From `DISTRIBUTION_MAP`'s entries: the external id of each role that names one.
    public var externalIds: [String: String]
    /// `EXTERNAL_ID`: for every role without an external id of its own.
    public var defaultExternalId: String?
    /// `AWS_LAMBDA_FUNCTION_NAME` (or the command's name): the first part of every role session's name.
    public var functionName: String

    public init(
        cache: RoleCredentialsCache, externalIds: [String: String] = [:], defaultExternalId: String? = nil,
        functionName: String
    ) {
        self.cache = cache
        self.externalIds = externalIds
        self.defaultExternalId = defaultExternalId
        self.functionName = functionName
    }

    /// The role's credentials, or STS's error with the role named in its message (why it could not be assumed (never a secret: STS's
    /// error answers carry none, and a malformed answer is reported without its body).
    public func credentials(
        roleArn: String, externalId: String? = nil, session: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> AWSCredentials {
        let externalId = externalId ?? externalIds[roleArn] ?? defaultExternalId
        do {
            return try await cache.credentials(
                roleArn: roleArn, externalId: externalId, sessionName: session, context: context)
        } catch {
            var named = error
            // Named once: the error's description already says it was AssumeRole, and with which code.
            named.message = "role \(roleArn)" + (error.message.isEmpty ? "" : ": \(error.message)")
            throw named
        }
    }

    /// A role session's name: which function and which invocation first assumed the role, as CloudTrail shows it
    /// in the distribution's account. STS allows 2 to 64 of letters, digits and `_+=,.@-`; anything else becomes
    /// `-`, and the function's name is shortened first so that the invocation's id stays legible.
    public func sessionName(invocation requestId: String) -> String {
        let id = Self.sanitized(requestId.isEmpty ? "init" : requestId).prefix(36)
        let name = Self.sanitized(functionName.isEmpty ? "cloudfront-invalidator" : functionName)
            .prefix(64 - 1 - id.count)
        return name + "-" + id
    }

    static func sanitized(_ text: String) -> String {
        String(
            decoding: text.utf8.map { byte in
                let allowed =
                    (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || "_+=,.@-".utf8.contains(byte)
                return allowed ? byte : UInt8(ascii: "-")
            }, as: UTF8.self)
    }
}

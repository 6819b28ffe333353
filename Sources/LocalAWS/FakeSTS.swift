import AWSClient
import FoundationEssentials

/// STS `AssumeRole` as documented, strict where moto is lax (moto trusts every caller), over the query protocol
/// (form-encoded `POST /`, XML answers), called in-process (`transport`), for tests of distributions in other
/// accounts on a virtual clock.
///
/// A role's trust policy is reduced to what the function's tests need: which callers (by the access key id in the
/// request's SigV4 `Credential`) may assume it, and the external id it requires, if any. An untrusted caller, an
/// unknown role, or a wrong or missing external id is `AccessDenied` (403), as STS answers all three alike. The
/// parameters are checked as botocore's model (`sts/2011-06-15/service-2.json`) constrains them, and against the
/// role's maximum session duration (IAM's default, one hour, unless the test says otherwise), as `ValidationError`;
/// parameters outside the subset are refused naming the fake. Each call issues fresh `ASIA…` credentials expiring
/// `DurationSeconds` (default 3600) from now on the fake's clock, kept in `issued` so a test can tell which role a
/// request to another service was signed as (`issued(accessKeyId:)`). A caller signing with credentials the fake
/// issued (role chaining) must send their session token and be within their lifetime (`InvalidClientTokenId`,
/// `ExpiredToken`).
public final class FakeSTS: Sendable {
    public typealias Fault = FakeAWSFault

    /// A role the test created: who may assume it, and how.
    public struct Role: Sendable, Equatable {
        public var arn: String
        /// The access key ids the trust policy lets call `AssumeRole`.
        public var trustedAccessKeyIds: Set<String>
        /// Required in the call when set (the trust policy's `sts:ExternalId` condition).
        public var externalId: String?
        /// The longest `DurationSeconds` the role allows (IAM's `MaxSessionDuration`, 3600 to 43200).
        public var maximumSessionDuration: Int
    }

    /// What a fault injector is told of each request.
    public struct RequestInfo: Sendable {
        /// `Action` (`AssumeRole`), empty when the request has none.
        public var action: String
        public var roleArn: String?
        /// From the Authorization header's `Credential`.
        public var callerAccessKeyId: String?
        public var time: Date
    }

    /// Credentials the fake issued.
    public struct Issued: Sendable, Equatable {
        public var roleArn: String
        public var sessionName: String
        public var externalId: String?
        /// The caller that assumed the role.
        public var callerAccessKeyId: String
        public var credentials: AWSCredentials
        public var issuedAt: Date
        public var expiration: Date
        public var assumedRoleArn: String
    }

    /// How requests were answered.
    public struct Counters: Sendable, Equatable {
        public var requests = 0
        public var issued = 0
        public var accessDenied = 0
        public var validationErrors = 0
        /// Every other refusal (signature, token, action).
        public var rejected = 0
        public var faults = 0
    }

    let state: State

    /// `clock` stamps expirations; `region`, when given, is the one region a request's signing scope may name.
    public init(clock: any AWSClock = SystemClock(), region: String? = nil) {
        state = State(clock: clock, region: region)
    }

    /// The fake called in-process: a dropped connection is a transport error.
    public var transport: any HTTPTransport {
        let state = self.state
        return JSONFakeTransport { await state.serve($0) }
    }

    /// Creates (or replaces) a role the callers with `trustedAccessKeyIds` may assume.
    public func createRole(
        arn: String, trustedAccessKeyIds: Set<String>, externalId: String? = nil, maximumSessionDuration: Int = 3600
    ) async {
        await state.createRole(
            Role(
                arn: arn, trustedAccessKeyIds: trustedAccessKeyIds, externalId: externalId,
                maximumSessionDuration: maximumSessionDuration))
    }

    /// Every request's fault is asked of `injector`; nil removes it.
    public func injectFaults(_ injector: (@Sendable (RequestInfo) -> Fault?)?) async {
        await state.setInjector(injector)
    }

    /// Every credential issued, in order.
    public var issued: [Issued] {
        get async { await state.issued }
    }

    /// The issue of `accessKeyId`, nil when the fake never issued it: which role a signed request was made as.
    public func issued(accessKeyId: String) async -> Issued? {
        await state.issued.first { $0.credentials.accessKeyId == accessKeyId }
    }

    public var counters: Counters {
        get async { await state.counters }
    }

    /// The access key id of a SigV4 `Authorization` header (`AWS4-HMAC-SHA256 Credential=<id>/<scope>, …`), and
    /// its scope's region and service; nil when the header is not SigV4.
    public static func credentialScope(
        ofAuthorization authorization: String
    ) -> (accessKeyId: String, region: String, service: String)? {
        let prefix = "AWS4-HMAC-SHA256 Credential="
        guard authorization.hasPrefix(prefix) else { return nil }
        let credential = authorization.dropFirst(prefix.count).prefix { $0 != "," && $0 != " " }
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, !parts[0].isEmpty, parts[4] == "aws4_request" else { return nil }
        return (String(parts[0]), String(parts[2]), String(parts[3]))
    }
}

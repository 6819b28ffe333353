import FoundationEssentials

/// Assumed-role credentials, one entry per role and external id, kept until five minutes before they expire.
///
/// A warm function makes many invocations an hour; assuming the role for each would add an STS round trip to every
/// batch and risk STS's own throttling, so the credentials are reused while they have time left. Five minutes is the
/// margin the AWS SDKs' assume-role providers refresh at, enough for a request signed now to arrive before they
/// expire. Callers asking for the same role while it is being assumed share that one `AssumeRole` (no stampede when
/// a batch's distributions all live in one account). A failure is handed to those callers and not kept: the next
/// call tries again.
///
/// The key is the role and the external id, not the session name: the session name says which invocation first
/// assumed the role, and credentials made for one invocation serve the next as well. The clock is the STS client's.
public actor RoleCredentialsCache {
    /// How long before their expiration credentials stop being handed out.
    public static let refreshMargin: Duration = .seconds(300)

    public let sts: STSClient
    /// Asked of STS for each session; nil leaves STS's default of one hour.
    public let durationSeconds: Int?
    private var entries: [Key: Entry] = [:]
    private var generation = 0
    private var calls = 0
    private var joined = 0

    private struct Key: Hashable {
        var roleArn: String
        var externalId: String?
    }

    private enum Entry {
        case ready(AssumedRole)
        /// `generation` tells a pending call's own entry from a newer one.
        case pending(Task<Result<AssumedRole, AWSError>, Never>, generation: Int)
    }

    public init(sts: STSClient, durationSeconds: Int? = nil) {
        self.sts = sts
        self.durationSeconds = durationSeconds
    }

    /// How many `AssumeRole` calls this cache has started.
    public var assumeRoleCalls: Int { calls }
    /// How many callers waited for a call another caller had started, instead of starting their own.
    public var joinedCalls: Int { joined }

    /// The role's credentials: cached ones with more than `refreshMargin` left, or new ones from `AssumeRole`.
    public func credentials(
        roleArn: String, externalId: String? = nil, sessionName: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> AWSCredentials {
        try await assumedRole(roleArn: roleArn, externalId: externalId, sessionName: sessionName, context: context)
            .credentials
    }

    /// As `credentials`, with the session's expiration and principal.
    ///
    /// A call that joins one in flight waits for it under the first caller's context (its deadline): the call is
    /// not started twice to honour a shorter deadline.
    public func assumedRole(
        roleArn: String, externalId: String? = nil, sessionName: String, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> AssumedRole {
        let key = Key(roleArn: roleArn, externalId: externalId)
        switch entries[key] {
        case .ready(let role)? where isFresh(role):
            return role
        case .pending(let task, _)?:
            joined += 1
            return try await task.value.get()
        case .ready?, nil:
            break
        }
        generation += 1
        calls += 1
        let mine = generation
        let request = AssumeRoleRequest(
            roleArn: roleArn, roleSessionName: sessionName, externalId: externalId, durationSeconds: durationSeconds)
        let sts = self.sts
        let task = Task<Result<AssumedRole, AWSError>, Never> {
            do throws(AWSError) {
                return .success(try await sts.assumeRole(request, context: context))
            } catch {
                return .failure(error)
            }
        }
        entries[key] = .pending(task, generation: mine)
        let result = await task.value
        if case .pending(_, let current)? = entries[key], current == mine {
            switch result {
            case .success(let role): entries[key] = .ready(role)
            case .failure: entries[key] = nil
            }
        }
        return try result.get()
    }

    /// Forgets every role's credentials (a role whose credentials were revoked, say).
    public func removeAll() { entries = [:] }

    private func isFresh(_ role: AssumedRole) -> Bool {
        sts.client.clock.now() < role.expiration.addingTimeInterval(-Self.refreshMargin.seconds)
    }
}

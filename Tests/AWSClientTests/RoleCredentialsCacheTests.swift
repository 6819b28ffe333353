import AWSClient
import AWSTestSupport
import Formats
import FoundationEssentials
import Synchronization
import Testing

/// A transport that holds every request until `open()`, so that callers can be made to overlap an `AssumeRole`.
final class GatedTransport: HTTPTransport {
    let inner: FakeTransport
    private let gate = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    init(_ inner: FakeTransport) { self.inner = inner }

    func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
        await withCheckedContinuation { continuation in
            let passes = gate.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if passes { continuation.resume() }
        }
        return try await inner.send(request, timeout: timeout)
    }

    func open() {
        let waiters = gate.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Assumed-role credentials cached per role and external id until five minutes before they expire, on a virtual
/// clock.
@Suite("Role credentials cache")
struct RoleCredentialsCacheTests {
    static let roleA = "arn:aws:iam::111122223333:role/cdn-a"
    static let roleB = "arn:aws:iam::444455556666:role/cdn-b"
    let clock = VirtualClock(start: Date(timeIntervalSince1970: 1_800_000_000))

    /// An answer whose credentials expire `lifetime` seconds from now on the test's clock.
    func answer(_ keyId: String, lifetime: Double = 3600) -> Result<HTTPResponse, AWSError> {
        .success(
            STSTests.answer(keyId: keyId, expiration: RFC3339.format(clock.now().addingTimeInterval(lifetime))))
    }

    func cache(_ transport: any HTTPTransport) throws -> RoleCredentialsCache {
        RoleCredentialsCache(
            sts: try STSClient(
                configuration: configuration(retryPolicy: .none), transport: transport, clock: clock, random: { 0 }))
    }

    @Test("a second call, whatever its session name, is answered from the cache")
    func hit() async throws {
        let fake = FakeTransport([answer("ASIAFIRST"), answer("ASIASECOND")])
        let cache = try cache(fake)
        let first = try await cache.credentials(roleArn: Self.roleA, sessionName: "invocation-1")
        clock.advance(by: .seconds(1800))
        let second = try await cache.credentials(roleArn: Self.roleA, sessionName: "invocation-2")
        #expect(first.accessKeyId == "ASIAFIRST" && second == first)
        let calls = await cache.assumeRoleCalls
        #expect(fake.requests.count == 1 && calls == 1)
    }

    @Test("refreshed from five minutes before the expiration, not a second earlier")
    func refresh() async throws {
        let fake = FakeTransport([answer("ASIAFIRST"), answer("ASIASECOND", lifetime: 7200)])
        let cache = try cache(fake)
        let first = try await cache.assumedRole(roleArn: Self.roleA, sessionName: "s1")
        clock.advance(by: .seconds(3600 - 300 - 1))
        #expect(try await cache.credentials(roleArn: Self.roleA, sessionName: "s2") == first.credentials)
        clock.advance(by: .seconds(1))
        let second = try await cache.assumedRole(roleArn: Self.roleA, sessionName: "s3")
        #expect(second.credentials.accessKeyId == "ASIASECOND")
        #expect(second.expiration == Date(timeIntervalSince1970: 1_800_000_000 + 7200))
        #expect(fake.requests.count == 2)
        #expect(String(decoding: fake.requests[1].body, as: UTF8.self).contains("RoleSessionName=s3"))
    }

    @Test("callers arriving while the role is being assumed share that one AssumeRole")
    func noStampede() async throws {
        let gated = GatedTransport(FakeTransport([answer("ASIAONLY"), answer("ASIAEXTRA")]))
        let cache = try cache(gated)
        let callers = 8
        try await withThrowingTaskGroup(of: AWSCredentials.self) { group in
            for index in 0..<callers {
                group.addTask { try await cache.credentials(roleArn: Self.roleA, sessionName: "s\(index)") }
            }
            // Until every other caller waits on the first one's call (bounded, and the gate opened either way, so a
            // regression fails instead of hanging).
            var spins = 0
            while await cache.joinedCalls < callers - 1, spins < 100_000 {
                spins += 1
                await Task.yield()
            }
            gated.open()
            for try await credentials in group { #expect(credentials.accessKeyId == "ASIAONLY") }
        }
        let (calls, joined) = (await cache.assumeRoleCalls, await cache.joinedCalls)
        #expect(gated.inner.requests.count == 1 && calls == 1 && joined == callers - 1)
    }

    @Test("a failure is handed back and not kept: the next call assumes the role again")
    func failureNotCached() async throws {
        let denied = HTTPResponse.text(
            403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>")
        let fake = FakeTransport([.success(denied), answer("ASIALATER")])
        let cache = try cache(fake)
        await #expect {
            try await cache.credentials(roleArn: Self.roleA, sessionName: "s1")
        } throws: { ($0 as? AWSError)?.code == "AccessDenied" }
        await #expect {
            try await cache.credentials(roleArn: "arn:aws:iam::1:role/x", sessionName: "s1")
        } throws: { ($0 as? AWSError)?.kind == .invalidRequest }
        #expect(try await cache.credentials(roleArn: Self.roleA, sessionName: "s2").accessKeyId == "ASIALATER")
        #expect(fake.requests.count == 2)
    }

    @Test("distinct roles, and one role with distinct external ids, are distinct entries")
    func distinctEntries() async throws {
        let fake = FakeTransport([answer("ASIA1"), answer("ASIA2"), answer("ASIA3"), answer("ASIA4")])
        let cache = try cache(fake)
        let keys: [(String, String?)] = [(Self.roleA, nil), (Self.roleA, "tenant-1"), (Self.roleB, nil)]
        var issued: [String] = []
        for (role, externalId) in keys + keys {
            issued.append(
                try await cache.credentials(roleArn: role, externalId: externalId, sessionName: "s1").accessKeyId)
        }
        #expect(issued == ["ASIA1", "ASIA2", "ASIA3", "ASIA1", "ASIA2", "ASIA3"])
        #expect(fake.requests.count == 3)
        let bodies = fake.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(!bodies[0].contains("ExternalId") && bodies[1].contains("ExternalId=tenant-1"))
        #expect(bodies[2].contains("444455556666"))
    }
}

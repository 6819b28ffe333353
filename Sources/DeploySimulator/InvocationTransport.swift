import AWSClient
import AWSTestSupport
import Synchronization

/// What the simulation's invocations share with its driver.
final class SimulationShared: Sendable {
    /// Calls by service (the host's first label), and CloudFront's `CreateInvalidation` apart.
    let counts = Mutex<[String: Int]>([:])
    /// Finished invocations: poller index, invocation number and result.
    let finished = Mutex<[(poller: Int, invocation: Int, failed: Set<String>?)]>([])
    /// Messages the function sent to its queue (coalescing's flushes), with their delay and the time sent.
    let sent = Mutex<[(body: String, delaySeconds: Int, time: Double)]>([])
}

/// Where an invocation dies: at its `call`-th AWS call, before or after that call takes effect.
struct CrashPlan: Sendable {
    var call: Int
    var afterWork: Bool
}

/// One invocation's view of AWS: each call routed to the fake of its service and counted; with a `CrashPlan`, the
/// invocation dies at that call: from then on nothing it sends reaches a fake.
final class InvocationTransport: HTTPTransport {
    let routes: [String: any HTTPTransport]
    let shared: SimulationShared
    let crash: CrashPlan?
    private let state = Mutex<(calls: Int, crashed: Bool)>((0, false))

    init(routes: [String: any HTTPTransport], shared: SimulationShared, crash: CrashPlan?) {
        self.routes = routes
        self.shared = shared
        self.crash = crash
    }

    var crashed: Bool { state.withLock { $0.crashed } }

    func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
        let service = RoutingTransport.service(of: request)
        let (call, dead) = state.withLock { state -> (Int, Bool) in
            state.calls += 1
            return (state.calls, state.crashed)
        }
        let dying = !dead && crash?.call == call
        if dying { state.withLock { $0.crashed = true } }
        guard let route = routes[service], !dead else { throw Self.gone }
        if dying && crash?.afterWork != true { throw Self.gone }
        let key =
            request.method == "POST" && request.path.hasSuffix("/invalidation") ? "CreateInvalidation" : service
        shared.counts.withLock { $0[key, default: 0] += 1 }
        let response = try await route.send(request, timeout: timeout)
        if dying { throw Self.gone }
        return response
    }

    /// What a dead invocation's calls meet (nothing it sends has an effect).
    static let gone = AWSError(
        kind: .transport, code: "Crashed", message: "the invocation crashed", service: "", operation: "")
}

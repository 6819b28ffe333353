import LocalAWS

/// The Lambda Runtime API on 127.0.0.1, an ephemeral port: what a `bootstrap` talks to when it runs outside Lambda.
///
/// It serves `GET /2018-06-01/runtime/invocation/next` from a queue (blocking while it is empty, as Lambda does),
/// and takes `/response`, `/error` and `/runtime/init/error`.
public final class RuntimeAPIServer: Sendable {
    let state: EmulatorState
    let server: LoopbackHTTPServer

    /// `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`.
    public var endpoint: String { "127.0.0.1:\(server.port)" }

    public static func start() async throws -> RuntimeAPIServer {
        let state = EmulatorState()
        let server = try await LoopbackHTTPServer.start { request in await route(request, state: state) }
        return RuntimeAPIServer(state: state, server: server)
    }

    private init(state: EmulatorState, server: LoopbackHTTPServer) {
        self.state = state
        self.server = server
    }

    /// Queues an event for the next `GET /next`.
    public func enqueue(requestId: String, body: [UInt8], deadlineMilliseconds: Int64) async {
        await state.enqueue(PendingEvent(requestId: requestId, deadlineMilliseconds: deadlineMilliseconds, body: body))
    }

    /// When the runtime first asked for an event (the end of its init phase).
    public var firstNextAt: ContinuousClock.Instant? {
        get async { await state.firstNextAt }
    }

    /// How many times the runtime asked for an event.
    public var nextCount: Int {
        get async { await state.nextCount }
    }

    public func notify(_ notice: EmulatorNotice) async {
        await state.notify(notice)
    }

    /// Posts `.timedOut(label)` after `limit`, unless cancelled first.
    public func timer(_ limit: Duration, label: String) -> Task<Void, Never> {
        let state = self.state
        return Task {
            do {
                try await Task.sleep(for: limit)
            } catch {
                return
            }
            await state.notify(.timedOut(label))
        }
    }

    /// The next thing the runtime reported, in order; waits for one. nil after `shutdown`.
    public func nextNotice() async -> EmulatorNotice? {
        await state.nextNotice()
    }

    public func shutdown() async {
        await state.close()
        await server.shutdown()
    }

    static func route(_ request: LoopbackRequest, state: EmulatorState) async -> LoopbackReply {
        let prefix = "/2018-06-01/runtime/"
        guard request.uri.hasPrefix(prefix) else { return LoopbackReply(status: 404) }
        let parts = request.uri.dropFirst(prefix.count).split(separator: "/").map(String.init)
        switch (request.method, parts.count, parts.first, parts.last) {
        case ("GET", 2, "invocation", "next"):
            guard let event = await state.next() else { return LoopbackReply(status: 410) }
            return LoopbackReply(
                status: 200,
                headers: [
                    ("lambda-runtime-aws-request-id", event.requestId),
                    ("lambda-runtime-deadline-ms", String(event.deadlineMilliseconds)),
                    (
                        "lambda-runtime-invoked-function-arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:cloudfront-invalidator"
                    ),
                    ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
                    ("content-type", "application/json"),
                ],
                body: event.body)
        case ("POST", 3, "invocation", "response"):
            await state.notify(.outcome(parts[1], .response(request.body)))
            return LoopbackReply(status: 202)
        case ("POST", 3, "invocation", "error"):
            let errorType = request.header("lambda-runtime-function-error-type")
            await state.notify(.outcome(parts[1], .error(body: request.body, errorType: errorType)))
            return LoopbackReply(status: 202)
        case ("POST", 2, "init", "error"):
            await state.notify(.initError(request.body))
            return LoopbackReply(status: 202)
        default:
            return LoopbackReply(status: 404)
        }
    }
}

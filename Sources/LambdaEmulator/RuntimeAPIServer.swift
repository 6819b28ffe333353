import NIOCore
import NIOHTTP1
import NIOPosix

/// The Lambda Runtime API on 127.0.0.1, an ephemeral port: what a `bootstrap` talks to when it runs outside Lambda.
///
/// It serves `GET /2018-06-01/runtime/invocation/next` from a queue (blocking while it is empty, as Lambda does),
/// and takes `/response`, `/error` and `/runtime/init/error`. Responses are written with TCP_NODELAY, so keep-alive
/// clients do not lose 40 ms a response to Nagle and delayed ACK.
public final class RuntimeAPIServer: Sendable {
    let state = EmulatorState()
    let channel: any Channel
    let serving: Task<Void, Never>
    public let port: Int

    /// `host:port`, the value for `AWS_LAMBDA_RUNTIME_API`.
    public var endpoint: String { "127.0.0.1:\(port)" }

    public static func start() async throws -> RuntimeAPIServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return RuntimeAPIServer(server: server)
    }

    private init(server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>) {
        channel = server.channel
        port = server.channel.localAddress?.port ?? 0
        let state = self.state
        serving = Task {
            try? await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await Self.serve(connection, state: state) }
                    }
                }
            }
        }
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
        try? await channel.close()
        serving.cancel()
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, state: EmulatorState
    ) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body.clear()
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    guard let request = head else { continue }
                    let bytes = body.readBytes(length: body.readableBytes) ?? []
                    let reply = await route(request, body: bytes, state: state)
                    var headers = HTTPHeaders(reply.headers)
                    headers.add(name: "content-length", value: String(reply.body.count))
                    try await outbound.write(
                        .head(HTTPResponseHead(version: request.version, status: reply.status, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: reply.body))))
                    try await outbound.write(.end(nil))
                }
            }
        }
    }

    struct Reply {
        var status: HTTPResponseStatus
        var headers: [(String, String)] = []
        var body: [UInt8] = []
    }

    static func route(_ head: HTTPRequestHead, body: [UInt8], state: EmulatorState) async -> Reply {
        let prefix = "/2018-06-01/runtime/"
        guard head.uri.hasPrefix(prefix) else { return Reply(status: .notFound) }
        let parts = head.uri.dropFirst(prefix.count).split(separator: "/").map(String.init)
        switch (head.method, parts.count, parts.first, parts.last) {
        case (.GET, 2, "invocation", "next"):
            guard let event = await state.next() else { return Reply(status: .gone) }
            return Reply(
                status: .ok,
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
        case (.POST, 3, "invocation", "response"):
            await state.notify(.outcome(parts[1], .response(body)))
            return Reply(status: .accepted)
        case (.POST, 3, "invocation", "error"):
            let errorType = head.headers.first(name: "lambda-runtime-function-error-type")
            await state.notify(.outcome(parts[1], .error(body: body, errorType: errorType)))
            return Reply(status: .accepted)
        case (.POST, 2, "init", "error"):
            await state.notify(.initError(body))
            return Reply(status: .accepted)
        default:
            return Reply(status: .notFound)
        }
    }
}

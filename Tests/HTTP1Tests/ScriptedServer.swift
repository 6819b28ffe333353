import HTTP1
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A server on 127.0.0.1 that answers each request with the raw bytes a script gives, so that tests can send what a
/// well-behaved server never does: a closed kept connection, a response cut short, a late one, an interim answer.
final class ScriptedServer: Sendable {
    /// What the server does with one request.
    struct Reply: Sendable {
        var bytes: String
        var then: Then = .keepOpen
        /// How long to wait before answering.
        var delay: TimeAmount = .zero

        enum Then: Sendable { case keepOpen, close }

        static func ok(_ body: String = "ok", headers: String = "") -> Reply {
            Reply(bytes: "HTTP/1.1 200 OK\r\ncontent-length: \(body.utf8.count)\r\n\(headers)\r\n\(body)")
        }
    }

    /// One request as received: the connection it came on (0, 1, ...) and its text, head and body.
    struct Received: Sendable {
        var connection: Int
        var text: String
    }

    typealias Script = @Sendable (_ index: Int, _ request: String) -> Reply

    let port: Int
    private let channel: any Channel
    private let shared: SharedState

    var connections: Int { shared.state.withLock { $0.connections } }
    var received: [Received] { shared.state.withLock { $0.received } }

    init(tls: NIOSSLContext? = nil, script: @escaping Script) async throws {
        let shared = SharedState(script: script)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let number = shared.state.withLock { state in
                        state.connections += 1
                        return state.connections - 1
                    }
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(Connection(number: number, shared: shared))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.shared = shared
    }

    func origin(secure: Bool = false, host: String = "127.0.0.1") -> HTTP1Origin {
        HTTP1Origin(secure: secure, host: host, port: port)
    }

    func close() async {
        try? await channel.close()
    }

    private final class SharedState: Sendable {
        let state = Mutex<(connections: Int, received: [Received])>((0, []))
        let script: Script
        init(script: @escaping Script) {
            self.script = script
        }
    }

    /// Reads requests off one connection (a head, then `content-length` bytes) and answers each as scripted.
    private final class Connection: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let number: Int
        let shared: SharedState
        var pending: [UInt8] = []

        init(number: Int, shared: SharedState) {
            self.number = number
            self.shared = shared
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            pending += buffer.readBytes(length: buffer.readableBytes) ?? []
            while let request = takeRequest() {
                let index = shared.state.withLock { state in
                    state.received.append(Received(connection: number, text: request))
                    return state.received.count - 1
                }
                let reply = shared.script(index, request)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: reply.delay) {
                    let context = bound.value
                    context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: reply.bytes)), promise: nil)
                    if reply.then == .close { context.close(promise: nil) }
                }
            }
        }

        private func takeRequest() -> String? {
            let separator: [UInt8] = Array("\r\n\r\n".utf8)
            guard let end = pending.indices.first(where: { pending[$0...].starts(with: separator) }) else { return nil }
            let head = String(decoding: pending[..<end], as: UTF8.self)
            let length =
                head.split(separator: "\r\n").lazy
                .compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingPrefix(" "))
                }.first ?? 0
            let total = end + separator.count + length
            guard pending.count >= total else { return nil }
            let request = String(decoding: pending[..<total], as: UTF8.self)
            pending.removeFirst(total)
            return request
        }
    }
}

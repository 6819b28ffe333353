import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as a local stand-in server sees it.
public struct LoopbackRequest: Sendable {
    public var method: String
    /// The request target as sent (path and query, percent-encoded).
    public var uri: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    /// The path part of `uri`.
    public var path: String { String(uri.prefix { $0 != "?" }) }

    /// The query parameters, percent-decoded (`+` is not a space here: AWS encodes spaces as %20).
    public var query: [String: String] {
        guard let mark = uri.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[Self.decode(parts[0])] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
        return result
    }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0.lowercased() == lower }?.1
    }
}

/// A response from a local stand-in server.
public struct LoopbackReply: Sendable {
    /// How the answer goes wrong on the wire, for fault injection.
    public enum WireFault: Sendable, Equatable {
        /// Close the connection without answering.
        case reset
        /// Send the head and half the body, then close.
        case truncate
        /// Answer after this long.
        case delay(Duration)
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var wireFault: WireFault?

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, headers: [(String, String)] = [], text: String) {
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }
}

/// HTTP/1.1 on 127.0.0.1, an ephemeral port: the base of the project's local stand-ins (the Runtime API emulator,
/// the fake CodePipeline and CloudFront). Keep-alive, with TCP_NODELAY so that a keep-alive client does not lose
/// 40 ms a response to Nagle and delayed ACK.
public final class LoopbackHTTPServer: Sendable {
    public typealias Handler = @Sendable (LoopbackRequest) async -> LoopbackReply

    let channel: any Channel
    let serving: Task<Void, Never>
    public let port: Int

    /// `http://127.0.0.1:<port>`.
    public var origin: String { "http://127.0.0.1:\(port)" }

    public static func start(handler: @escaping Handler) async throws -> LoopbackHTTPServer {
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
        return LoopbackHTTPServer(server: server, handler: handler)
    }

    private init(
        server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
        handler: @escaping Handler
    ) {
        channel = server.channel
        port = server.channel.localAddress?.port ?? 0
        serving = Task {
            try? await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await Self.serve(connection, handler: handler) }
                    }
                }
            }
        }
    }

    public func shutdown() async {
        try? await channel.close()
        serving.cancel()
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, handler: Handler
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
                    let reply = await handler(
                        LoopbackRequest(
                            method: request.method.rawValue, uri: request.uri,
                            headers: request.headers.map { ($0.name, $0.value) },
                            body: body.readBytes(length: body.readableBytes) ?? []))
                    if reply.wireFault == .reset { return }
                    if case .delay(let duration) = reply.wireFault { try? await Task.sleep(for: duration) }
                    var headers = HTTPHeaders(reply.headers)
                    headers.replaceOrAdd(name: "content-length", value: String(reply.body.count))
                    try await outbound.write(
                        .head(
                            HTTPResponseHead(
                                version: request.version, status: HTTPResponseStatus(statusCode: reply.status),
                                headers: headers)))
                    if reply.wireFault == .truncate {
                        try await outbound.write(
                            .body(.byteBuffer(ByteBuffer(bytes: reply.body.prefix(reply.body.count / 2)))))
                        return
                    }
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: reply.body))))
                    try await outbound.write(.end(nil))
                }
            }
        }
    }
}

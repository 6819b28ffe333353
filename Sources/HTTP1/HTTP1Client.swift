import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Where a request goes: `http` or `https`, a host and a port.
public struct HTTP1Origin: Hashable, Sendable {
    public var secure: Bool
    /// A name or an address, without the brackets of an IPv6 literal.
    public var host: String
    public var port: Int

    public init(secure: Bool, host: String, port: Int) {
        self.secure = secure
        self.host = host
        self.port = port
    }

    /// Reads `scheme://host[:port]`; nil for anything else (a path, a user, another scheme).
    public init?(_ text: String) {
        let secure: Bool
        let rest: Substring
        if text.hasPrefix("https://") {
            (secure, rest) = (true, text.dropFirst(8))
        } else if text.hasPrefix("http://") {
            (secure, rest) = (false, text.dropFirst(7))
        } else {
            return nil
        }
        let host: Substring
        var portText: Substring?
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty, !host.contains(where: { "/?#@ ".contains($0) }) else { return nil }
        var port = secure ? 443 : 80
        if let portText {
            guard let number = Int(portText), (1...65_535).contains(number) else { return nil }
            port = number
        }
        self.init(secure: secure, host: String(host), port: port)
    }

    /// The `Host` header's value: the host, and the port when it is not the scheme's default.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
    }
}

/// A response, its body collected.
public struct HTTP1Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whether the server lets the connection carry another request.
    var keepAlive: Bool
}

/// Why a request has no response.
public enum HTTP1Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection could be made (refused, unreachable, the name does not resolve, the TLS configuration cannot be
    /// loaded). A failed TLS handshake comes after the connection, as `connection`.
    case connect(String)
    /// The connection failed (a reset, a TLS error, a malformed response).
    case connection(String, beforeResponse: Bool)
    /// The server closed the connection before the response was complete.
    case connectionClosed(beforeResponse: Bool)
    /// The deadline passed first.
    case timeout
    case responseTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .connect(let why): "cannot connect: \(why)"
        case .connection(let why, _): "connection failed: \(why)"
        case .connectionClosed: "the server closed the connection before the response was complete"
        case .timeout: "no response before the deadline"
        case .responseTooLarge(let limit): "the response is larger than \(limit) bytes"
        }
    }

    /// The connection was lost before any of a response was decoded: on a connection kept from an earlier request
    /// this is the server having closed it while it sat idle, and the request is sent once more on a new one, whatever
    /// its method, as the AWS SDKs retry connection errors (docs/DESIGN.md says what a second copy can do).
    var beforeResponse: Bool {
        switch self {
        case .connection(_, let before), .connectionClosed(let before): before
        case .connect, .timeout, .responseTooLarge: false
        }
    }
}

/// An HTTP/1.1 client on swift-nio, HTTPS through swift-nio-ssl (system trust roots, the host name verified), with
/// the connections of finished requests kept for the next (a warm Lambda reuses them).
///
/// It is what the function needs and no more: one request per connection at a time, bodies collected whole up to a
/// limit, no redirects followed (AWS's APIs answer rather than redirect, and following a `Location` would send a signed
/// request somewhere else), no compression, no proxy. A refused endpoint fails at once, an unreachable one within
/// 10 s, leaving the decision to retry to the caller. async-http-client did this before and brought HTTP/2, HPACK,
/// SOCKS, compression, tracing and a configuration library with it, a sixth of the artifact (docs/BENCHMARKS.md,
/// issue 19).
public final class HTTP1Client: Sendable {
    /// The process's client: every AWS client and the Runtime API share its connections and its one event loop.
    public static let shared = HTTP1Client()

    /// Connections kept per origin; the function makes one request at a time, a few concurrent ones at most.
    static let idleLimit = 4
    /// A connection idle longer than this is closed rather than used: something between may have dropped it without
    /// a word (a NAT's table, a sandbox frozen between invocations), and a request on it would wait out its deadline.
    /// async-http-client's default is 60 s; AWS's endpoints keep idle connections at least that long.
    public static let defaultIdleLifetime: TimeAmount = .seconds(50)

    private let group: any EventLoopGroup
    private let tlsConfiguration: TLSConfiguration
    private let idleLifetime: TimeAmount
    /// Made by the first HTTPS connection: loading the trust roots is the expensive part, and the Runtime API is
    /// plain HTTP, so a function whose first invocation needs no HTTPS never pays for it.
    private let tlsContext = Mutex<NIOSSLContext?>(nil)
    private let idle = Mutex<[HTTP1Origin: [(channel: any Channel, since: NIODeadline)]]>([:])

    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        tlsConfiguration: TLSConfiguration = .makeClientConfiguration(), idleLifetime: TimeAmount = defaultIdleLifetime
    ) {
        self.group = group
        self.tlsConfiguration = tlsConfiguration
        self.idleLifetime = idleLifetime
    }

    /// Sends one request and collects its response.
    /// - Parameters:
    ///   - target: the request line's target, the path and the query, already encoded.
    ///   - headers: sent as given; `Host` is added when absent, `Content-Length` when there is a body.
    ///   - body: nil for none; POST and PUT always send a `Content-Length`, 0 for an empty body.
    public func execute(
        method: HTTPMethod, origin: HTTP1Origin, target: String, headers: [(String, String)] = [],
        body: [UInt8]? = nil, deadline: NIODeadline, responseLimit: Int
    ) async throws(HTTP1Error) -> HTTP1Response {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: target)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if !head.headers.contains(name: "host") { head.headers.add(name: "host", value: origin.hostHeader) }
        var bodyBuffer: ByteBuffer?
        if let body, !body.isEmpty || method == .POST || method == .PUT || method == .PATCH {
            head.headers.replaceOrAdd(name: "content-length", value: String(body.count))
            bodyBuffer = body.isEmpty ? nil : ByteBuffer(bytes: body)
        }
        let exchange = Exchange(head: head, body: bodyBuffer, deadline: deadline, responseLimit: responseLimit)
        // Connecting, writing and reading are chained on the connection's event loop, and the caller's task waits
        // once, for the end: a busy pool of tasks can delay when the caller sees the response, never make a
        // response that arrived in time miss its deadline.
        do {
            return try await self.exchange(exchange, origin: origin).get()
        } catch {
            throw error as? HTTP1Error ?? .connection(String(describing: error), beforeResponse: false)
        }
    }

    private struct Exchange: Sendable {
        var head: HTTPRequestHead
        var body: ByteBuffer?
        var deadline: NIODeadline
        var responseLimit: Int
    }

    private func exchange(_ exchange: Exchange, origin: HTTP1Origin) -> EventLoopFuture<HTTP1Response> {
        guard let kept = takeIdle(origin) else {
            return connect(origin, deadline: exchange.deadline).flatMap { self.send(exchange, on: $0, origin: origin) }
        }
        return send(exchange, on: kept, origin: origin).flatMapError { error in
            guard let error = error as? HTTP1Error, error.beforeResponse, NIODeadline.now() < exchange.deadline else {
                return kept.eventLoop.makeFailedFuture(error)
            }
            // The server closed the kept connection while it sat idle; a new one follows.
            return self.connect(origin, deadline: exchange.deadline).flatMap {
                self.send(exchange, on: $0, origin: origin)
            }
        }
    }

    private func send(
        _ exchange: Exchange, on channel: any Channel, origin: HTTP1Origin
    ) -> EventLoopFuture<HTTP1Response> {
        let promise = channel.eventLoop.makePromise(of: HTTP1Response.self)
        let write = channel.eventLoop.makePromise(of: Void.self)
        write.futureResult.whenFailure { error in
            promise.fail(HTTP1Error.connection(String(describing: error), beforeResponse: true))
        }
        channel.writeAndFlush(
            HTTP1Exchange(
                head: exchange.head, body: exchange.body, responseLimit: exchange.responseLimit,
                deadline: exchange.deadline, promise: promise),
            promise: write)
        return promise.futureResult.always { result in
            if case .success(let response) = result, response.keepAlive, channel.isActive {
                self.keepIdle(channel, for: origin)
            } else {
                channel.close(promise: nil)
            }
        }
    }

    private func connect(_ origin: HTTP1Origin, deadline: NIODeadline) -> EventLoopFuture<any Channel> {
        let loop = group.next()
        let tls: NIOSSLContext?
        do {
            tls = origin.secure ? try context() : nil
        } catch {
            return loop.makeFailedFuture(HTTP1Error.connect("TLS configuration: \(error)"))
        }
        let remaining = deadline - .now()
        guard remaining > .zero else { return loop.makeFailedFuture(HTTP1Error.timeout) }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(min(remaining, .seconds(10)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    if let tls {
                        // SNI and the certificate's name check take a host name, never an address.
                        let name = isAddress(origin.host) ? nil : origin.host
                        try operations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
                    }
                    try operations.addHTTPClientHandlers()
                    try operations.addHandler(HTTP1ExchangeHandler())
                }
            }
        return bootstrap.connect(host: origin.host, port: origin.port).flatMapErrorThrowing { error in
            if let channelError = error as? ChannelError, case .connectTimeout = channelError {
                throw remaining <= .seconds(10) ? HTTP1Error.timeout : .connect("no connection within 10 s")
            }
            throw HTTP1Error.connect(String(describing: error))
        }
    }

    private func context() throws -> NIOSSLContext {
        try tlsContext.withLock { context in
            if let context { return context }
            let made = try NIOSSLContext(configuration: tlsConfiguration)
            context = made
            return made
        }
    }

    private func takeIdle(_ origin: HTTP1Origin) -> (any Channel)? {
        let now = NIODeadline.now()
        let (usable, stale) = idle.withLock { idle -> ((any Channel)?, [any Channel]) in
            var stale: [any Channel] = []
            while let kept = idle[origin]?.popLast() {
                if kept.channel.isActive && now - kept.since < idleLifetime { return (kept.channel, stale) }
                stale.append(kept.channel)
            }
            return (nil, stale)
        }
        for channel in stale { channel.close(promise: nil) }
        return usable
    }

    private func keepIdle(_ channel: any Channel, for origin: HTTP1Origin) {
        let surplus: (any Channel)? = idle.withLock { idle in
            var kept = idle[origin, default: []].filter(\.channel.isActive)
            kept.append((channel, NIODeadline.now()))
            let surplus = kept.count > Self.idleLimit ? kept.removeFirst().channel : nil
            idle[origin] = kept
            return surplus
        }
        surplus?.close(promise: nil)
    }
}

/// An IPv4 or IPv6 address rather than a name.
private func isAddress(_ host: String) -> Bool {
    host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
}

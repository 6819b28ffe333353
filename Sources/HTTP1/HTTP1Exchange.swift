import NIOCore
import NIOHTTP1
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One request on its way into a connection's pipeline, with the promise of its response.
struct HTTP1Exchange {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    /// A body larger than this fails the exchange (and closes the connection: its framing is lost).
    var responseLimit: Int
    var deadline: NIODeadline
    var promise: EventLoopPromise<HTTP1Response>
}

/// The last handler of a connection: it writes one exchange's request, collects its response and completes the
/// exchange's promise, exactly once, with the response or with why there is none.
///
/// HTTP/1.1 without pipelining: the client hands a connection one exchange at a time, so one pending exchange is all
/// the state there is. Everything about the exchange is decided here, on the connection's event loop: its deadline
/// (a timeout and a late response cannot both complete it), whether a failure left the request unanswered and so
/// worth sending again on a new connection, and whether the connection may carry the next request.
final class HTTP1ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTP1Exchange
    typealias OutboundOut = HTTPClientRequestPart

    private struct Pending {
        var promise: EventLoopPromise<HTTP1Response>
        var limit: Int
        var timeout: Scheduled<Void>
        var head: HTTPResponseHead?
        /// The whole request reached the socket: only then may the connection be used again.
        var requestWritten = false
    }

    private var pending: Pending?
    /// The body so far, kept apart from `pending` and appended in place: a copy per part would be quadratic in a
    /// 6 MB Runtime API event.
    private var body: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        // A kept connection the server closed a moment ago: channelInactive has run and the pipeline is about to go.
        guard pending == nil, context.channel.isActive else {
            exchange.promise.fail(HTTP1Error.connectionClosed(beforeResponse: true))
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let future = exchange.promise.futureResult
        let timeout = context.eventLoop.scheduleTask(deadline: exchange.deadline) {
            // A timer that fired in the same turn as its exchange's end must not fail the next exchange.
            guard handler.value.pending?.promise.futureResult === future else { return }
            handler.value.fail(.timeout, context: bound.value)
        }
        pending = Pending(promise: exchange.promise, limit: exchange.responseLimit, timeout: timeout)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { result in
            switch result {
            case .success:
                if handler.value.pending?.promise.futureResult === future {
                    handler.value.pending?.requestWritten = true
                }
            case .failure(let error):
                handler.value.failed(error, context: bound.value)
            }
            promise?.completeWith(result)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let current = pending else { return }
        switch unwrapInboundIn(data) {
        case .head(let head) where head.status.code < 200:
            // NIO's decoder passes on no interim answer but 101, after which it parses nothing more.
            fail(.connection("unexpected \(head.status.code) answer", beforeResponse: false), context: context)
        case .head(let head):
            pending?.head = head
            // One allocation for a body whose length is announced (within the limit).
            let announced = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            body = context.channel.allocator.buffer(capacity: min(max(announced, 0), current.limit))
        case .body(var part):
            guard (body?.readableBytes ?? 0) + part.readableBytes <= current.limit else {
                fail(.responseTooLarge(limit: current.limit), context: context)
                return
            }
            if body == nil {
                body = part
            } else {
                body!.writeBuffer(&part)
            }
        case .end:
            pending = nil
            current.timeout.cancel()
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            guard let head = current.head else {
                current.promise.fail(HTTP1Error.connection("a response without a head", beforeResponse: false))
                context.close(promise: nil)
                return
            }
            current.promise.succeed(
                HTTP1Response(
                    status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) }, body: bytes,
                    // A server that answered before reading the whole request may not have read the rest either.
                    keepAlive: head.isKeepAlive && current.requestWritten))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failed(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed(beforeResponse: pending?.head == nil), context: context)
        context.fireChannelInactive()
    }

    /// The pipeline is taken down after the connection closed: an exchange written in between must not wait for its
    /// deadline (a year for the Runtime API's `next`).
    func handlerRemoved(context: ChannelHandlerContext) {
        fail(.connectionClosed(beforeResponse: pending?.head == nil), context: context, close: false)
    }

    /// A failure while writing or reading. It leaves the request unanswered, and so worth sending again on a new
    /// connection, only when the connection itself was lost before any of the response was decoded; a response that
    /// began and broke off, or that could not be parsed, is never sent again.
    private func failed(_ error: any Error, context: ChannelHandlerContext) {
        let unanswered = pending?.head == nil && Self.isConnectionLoss(error)
        fail(.connection(String(describing: error), beforeResponse: unanswered), context: context)
    }

    /// The peer closed or reset the connection; not a malformed answer, nor a request refused before it was sent.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        if let error = error as? IOError { return [ECONNRESET, EPIPE, ECONNABORTED].contains(error.errnoCode) }
        switch error as? ChannelError {
        case .eof?, .ioOnClosedChannel?, .outputClosed?, .alreadyClosed?: return true
        default: break
        }
        if case .uncleanShutdown? = error as? NIOSSLError { return true }
        return false
    }

    /// Fails the pending exchange, if any, and closes the connection: after a failure its framing cannot be trusted.
    private func fail(_ error: HTTP1Error, context: ChannelHandlerContext, close: Bool = true) {
        body = nil
        if let current = pending {
            pending = nil
            current.timeout.cancel()
            current.promise.fail(error)
        }
        if close { context.close(promise: nil) }
    }
}

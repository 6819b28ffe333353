import NIOCore
import NIOHTTP1

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
/// the state there is. The exchange's deadline is kept here, on the connection's event loop, so that a timeout and a
/// late response cannot both complete it.
final class HTTP1ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTP1Exchange
    typealias OutboundOut = HTTPClientRequestPart

    private struct Pending {
        var promise: EventLoopPromise<HTTP1Response>
        var limit: Int
        var timeout: Scheduled<Void>
        var head: HTTPResponseHead?
        /// An interim answer (100 Continue and the like) came and ended; the response is still to come.
        var interim = false
    }

    private var pending: Pending?
    /// The body so far, kept apart from `pending` and appended in place: a copy per part would be quadratic in a
    /// 6 MB Runtime API event.
    private var body: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.promise.fail(HTTP1Error.connectionClosed(beforeResponse: true))
            promise?.fail(ChannelError.inappropriateOperationForState)
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let contextBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let timeout = context.eventLoop.scheduleTask(deadline: exchange.deadline) {
            loopBound.value.fail(.timeout, context: contextBound.value)
        }
        pending = Pending(promise: exchange.promise, limit: exchange.responseLimit, timeout: timeout)
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let current = pending else { return }
        switch unwrapInboundIn(data) {
        case .head(let head) where head.status.code < 200:
            pending?.interim = true
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
            if current.head == nil && current.interim {
                pending?.interim = false
                return
            }
            pending = nil
            current.timeout.cancel()
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            guard let head = current.head else {
                current.promise.fail(HTTP1Error.connectionClosed(beforeResponse: true))
                context.close(promise: nil)
                return
            }
            current.promise.succeed(
                HTTP1Response(
                    status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) }, body: bytes,
                    keepAlive: head.isKeepAlive))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.connection(String(describing: error), beforeResponse: pending?.head == nil), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed(beforeResponse: pending?.head == nil), context: context)
        context.fireChannelInactive()
    }

    /// Fails the pending exchange, if any, and closes the connection: after a failure its framing cannot be trusted.
    private func fail(_ error: HTTP1Error, context: ChannelHandlerContext) {
        body = nil
        if let current = pending {
            pending = nil
            current.timeout.cancel()
            current.promise.fail(error)
        }
        context.close(promise: nil)
    }
}

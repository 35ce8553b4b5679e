import NIOCore
import NIOHTTP1

/// Bounds how long one HTTP/2 stream may take to deliver its request, as `RequestTimeoutHandler`
/// does for an HTTP/1.1 connection: a stream whose request has not ended within `requestTimeout`
/// of its opening gets 408 and is closed (NIOHTTP2 resets it), so a client that sends half a
/// request cannot hold the stream, and with it the connection, forever. The answer itself (an
/// event stream, a held long poll) is not timed.
final class StreamRequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let requestTimeout: TimeAmount
    private let log: @Sendable (String) -> Void
    private var timer: Scheduled<Void>?
    /// The request ended, or the handler already answered for it: the timer has nothing left to do.
    private var done = false
    /// An answer started going out (the request was judged before its end, such as a 413).
    private var answered = false

    init(requestTimeout: TimeAmount, log: @escaping @Sendable (String) -> Void) {
        self.requestTimeout = requestTimeout
        self.log = log
    }

    /// When the request must have ended; the timer is armed only if it has not when the read
    /// burst that opened the stream ends (most requests arrive whole in one).
    private var deadline: NIODeadline?

    func handlerAdded(context: ChannelHandlerContext) {
        deadline = context.eventLoop.now + requestTimeout
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let deadline, !done, timer == nil {
            self.deadline = nil
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(deadline: deadline) {
                let (handler, context) = bound.value
                handler.expire(context)
            }
        }
        context.fireChannelReadComplete()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            done = true
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        answered = true
        context.write(data, promise: promise)
    }

    private func expire(_ context: ChannelHandlerContext) {
        timer = nil
        guard !done, context.channel.isActive else { return }
        done = true
        log("treaty mock: an HTTP/2 request did not arrive whole within its time; answered 408 and closed its stream")
        guard !answered else { return context.close(promise: nil) }
        let body = "the request did not arrive in time; closing\r\n"
        let headers = HTTPHeaders([("Content-Type", "text/plain"), ("Content-Length", String(body.utf8.count))])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http2, status: .requestTimeout, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

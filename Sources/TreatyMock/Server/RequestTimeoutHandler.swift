import NIOCore

/// Sits first in each connection's pipeline and bounds how long the peer may take: an idle
/// keep-alive connection closes after `idleTimeout`; a request must arrive whole (head and body)
/// within `requestTimeout` of its first byte, or it gets 408 and the connection closes. A
/// slow-loris client therefore holds a connection for seconds, not forever.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case waiting  // for a request; idle timer runs
        case receiving  // bytes of a request arrived; request timer runs
        case answering  // the whole request arrived; no timer
    }

    private let idleTimeout: TimeAmount
    private let requestTimeout: TimeAmount
    private var state = State.waiting
    /// When the current limit runs out, and what happens then. The timer is lazy: moving the
    /// deadline later costs no rescheduling (the timer, when it fires, re-arms for what is left),
    /// so a keep-alive request costs at most one timer operation instead of four.
    private var deadline: NIODeadline?
    private var expiry: ((ChannelHandlerContext) -> Void)?
    private var scheduledFor: NIODeadline?
    /// Set at shutdown: finish the request in flight, then close.
    private var draining = false
    private var isMultiplexed = false
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(idleTimeout: Double, requestTimeout: Double) {
        self.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        self.requestTimeout = .milliseconds(Int64(requestTimeout * 1000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { arm(idleTimeout, context, onExpiry: Self.closeIdle) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(idleTimeout, context, onExpiry: Self.closeIdle)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    /// The connection turned out to be HTTP/2: only the idle limit applies, reset by every read,
    /// and it closes the connection only when no stream is open.
    func multiplexed() {
        isMultiplexed = true
        state = .answering
        if let context { arm(idleTimeout, context, onExpiry: multiplexedExpiry) }
    }

    /// HTTP/2 streams open and close (a stream is open from its request until its answer ends).
    func streamOpened() { openStreams += 1 }

    func streamClosed() {
        openStreams -= 1
        if draining, openStreams == 0, let context {
            disarm()
            context.close(promise: nil)
        }
    }

    private var openStreams = 0
    private lazy var multiplexedExpiry: (ChannelHandlerContext) -> Void = { [unowned self] context in
        if openStreams > 0 {
            arm(idleTimeout, context, onExpiry: multiplexedExpiry)
        } else {
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if isMultiplexed {
            arm(idleTimeout, context, onExpiry: multiplexedExpiry)
        } else if state == .waiting {
            state = .receiving
            arm(requestTimeout, context, onExpiry: Self.timeOutRequest)
        }
        context.fireChannelRead(data)
    }

    /// Called by the HTTP handler when a request has fully arrived.
    func requestReceived() {
        state = .answering
        deadline = nil
    }

    /// Called by the HTTP handler when an answer went out and the connection stays open.
    func answerSent() {
        guard let context else { return }
        state = .waiting
        if draining {
            disarm()
            context.close(promise: nil)
            return
        }
        arm(idleTimeout, context, onExpiry: Self.closeIdle)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is GracefulShutdown else { return context.fireUserInboundEventTriggered(event) }
        draining = true
        if isMultiplexed ? openStreams == 0 : state == .waiting {
            disarm()
            context.close(promise: nil)
        }
    }

    private func arm(_ amount: TimeAmount, _ context: ChannelHandlerContext, onExpiry: @escaping (ChannelHandlerContext) -> Void) {
        let due = NIODeadline.now() + amount
        deadline = due
        expiry = onExpiry
        if let scheduledFor, scheduledFor <= due { return }  // the pending timer comes first and re-arms
        schedule(at: due, context)
    }

    private func schedule(at due: NIODeadline, _ context: ChannelHandlerContext) {
        timer?.cancel()
        scheduledFor = due
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { [self] in
            scheduledFor = nil
            timer = nil
            guard let deadline else { return }
            if deadline <= .now() {
                self.deadline = nil
                expiry?(context)
            } else {
                schedule(at: deadline, context)
            }
        }
    }

    private func disarm() {
        deadline = nil
        timer?.cancel()
        timer = nil
        scheduledFor = nil
    }

    private static func closeIdle(_ context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    private static func timeOutRequest(_ context: ChannelHandlerContext) {
        let answer = "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 45\r\n\r\n"
            + "the request did not arrive in time; closing\r\n"
        let channel = context.channel
        context.writeAndFlush(NIOAny(channel.allocator.buffer(string: answer))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}

/// Sent through every connection at shutdown: idle ones close, busy ones close after their answer.
struct GracefulShutdown: Sendable {}

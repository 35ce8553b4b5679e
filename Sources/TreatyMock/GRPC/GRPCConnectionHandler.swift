import NIOCore
import NIOHPACK
import NIOHTTP2

/// Sits between the connection's `NIOHTTP2Handler` and its stream multiplexer: streams whose
/// request says `application/grpc` are served here as `GRPCCall`s (no child channel); every other
/// frame, and every event not about a call, goes on to the multiplexer and the HTTP handlers of child channels.
final class GRPCConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private var calls: [HTTP2StreamID: GRPCCall] = [:]
    /// A call that ended in this read burst left writes to flush.
    private var flushNeeded = false
    private let makeCall: (HTTP2StreamID) -> GRPCCall
    /// Told when a call starts and ends, so idle timeouts and shutdown count gRPC streams too.
    private let opened: () -> Void
    private let ended: () -> Void

    init(makeCall: @escaping (HTTP2StreamID) -> GRPCCall, opened: @escaping () -> Void, ended: @escaping () -> Void) {
        self.makeCall = makeCall
        self.opened = opened
        self.ended = ended
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if let call = calls[frame.streamID] {
            call.receive(frame.payload, context: context)
            return
        }
        if case .headers(let headers) = frame.payload, frame.streamID != .rootStream,
           headers.headers.first(name: "content-type")?.hasPrefix("application/grpc") == true {
            let call = makeCall(frame.streamID)
            calls[frame.streamID] = call
            opened()
            call.receive(frame.payload, context: context)
            return
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // One flush for everything the calls wrote while this read burst was handled.
        var flush = flushNeeded
        flushNeeded = false
        for call in calls.values {
            call.armRequestTimer(context: context)
            if call.takeNeedsFlush() { flush = true }
        }
        if flush { context.flush() }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Events about a call's stream stay here: the multiplexer has no channel for it.
        switch event {
        case let closed as StreamClosedEvent:
            if let call = calls.removeValue(forKey: closed.streamID) {
                call.closed()
                if call.pendingFlush { flushNeeded = true }  // read, not taken: a timer may still flush it
                ended()
                return
            }
        case let window as NIOHTTP2WindowUpdatedEvent where window.streamID != .rootStream:
            if let call = calls[window.streamID] {
                if let size = window.inboundWindowSize { call.inboundWindow(size, context: context) }
                return
            }
        case let created as NIOHTTP2StreamCreatedEvent:
            if calls[created.streamID] != nil { return }
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        for call in calls.values {
            call.closed()
            ended()
        }
        calls.removeAll()
        context.fireChannelInactive()
    }
}

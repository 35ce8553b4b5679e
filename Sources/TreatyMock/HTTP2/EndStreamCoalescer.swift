import NIOCore
import NIOHTTP2

/// On HTTP/2 streams, folds the empty end-of-stream DATA frame that NIO's HTTP/1 codec writes after
/// a body into the body's last DATA frame: one frame instead of two per answer, and a stream that
/// ends with its data, as most HTTP/2 servers send it.
final class EndStreamCoalescer: ChannelOutboundHandler {
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var pending: (data: HTTP2Frame.FramePayload.Data, promise: EventLoopPromise<Void>?)?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = unwrapOutboundIn(data)
        if case .data(let frame) = payload {
            if let held = pending {
                pending = nil
                if frame.endStream, case .byteBuffer(let bytes) = frame.data, bytes.readableBytes == 0 {
                    var merged = held.data
                    merged.endStream = true
                    if let heldPromise = held.promise, let promise { promise.futureResult.cascade(to: heldPromise) }
                    context.write(wrapOutboundOut(.data(merged)), promise: promise ?? held.promise)
                    return
                }
                context.write(wrapOutboundOut(.data(held.data)), promise: held.promise)
            }
            if !frame.endStream {
                pending = (frame, promise)
                return
            }
        } else if let held = pending {
            pending = nil
            context.write(wrapOutboundOut(.data(held.data)), promise: held.promise)
        }
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        if let held = pending {
            pending = nil
            context.write(wrapOutboundOut(.data(held.data)), promise: held.promise)
        }
        context.flush()
    }
}

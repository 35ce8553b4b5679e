#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel

/// Faults: raw bytes below the HTTP encoder, then the connection ends.
extension MockHTTPHandler {
    /// Plays a fault instead of the answer. Faults write raw bytes below the HTTP encoder (from its
    /// context) and always end the connection.
    func play(_ fault: MockBehaviour.Fault, _ answer: MockResponder.Answer, _ context: ChannelHandlerContext, head: HTTPRequestHead) {
        let channel = context.channel
        switch fault {
        case .empty:
            channel.close(promise: nil)
        case .reset:
            if let provider = channel as? any SocketOptionProvider {
                provider.setSoLinger(NIOLinger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.close(promise: nil)
            }
        case .malformed:
            writeRaw(Array("HTTP/1.1 ??? NOT HTTP\r\n\u{01}\u{02}garbage without headers".utf8) + [0xFF, 0xFE, 0x00], context) {
                channel.close(promise: nil)
            }
        case .truncate:
            let bytes = rawResponse(answer, head: head)
            let cut = bytes.count - max(1, answer.body.count / 2)
            writeRaw(Array(bytes[..<cut]), context) { channel.close(promise: nil) }
        case .trickle(let size, let every):
            trickle(rawResponse(answer, head: head)[...], size: size, every: every, context)
        }
    }

    func trickle(_ rest: ArraySlice<UInt8>, size: Int, every: Int, _ context: ChannelHandlerContext) {
        let channel = context.channel
        guard !rest.isEmpty, channel.isActive else { return channel.close(promise: nil) }
        let chunk = Array(rest.prefix(size))
        writeRaw(chunk, context) {}
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(every))) { [self] in
            self.trickle(rest.dropFirst(size), size: size, every: every, context)
        }
    }

    /// The answer as HTTP/1.1 bytes with `Connection: close`.
    func rawResponse(_ answer: MockResponder.Answer, head: HTTPRequestHead) -> [UInt8] {
        let status = HTTPResponseStatus(statusCode: answer.status)
        var text = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for (name, value) in answer.headers where !name.caseInsensitiveEquals("Content-Length") && !name.caseInsensitiveEquals("Connection") {
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Length: \(answer.body.count)\r\nConnection: close\r\n\r\n"
        return Array(text.utf8) + (head.method == .HEAD ? [] : answer.body)
    }

    /// Writes bytes from the HTTP encoder's context, so they reach the socket as they are.
    func writeRaw(_ bytes: [UInt8], _ context: ChannelHandlerContext, then: @escaping () -> Void) {
        guard let encoder = encoderContext(context) else {
            context.channel.close(promise: nil)
            return
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { _ in then() }
        encoder.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: bytes)), promise: promise)
    }
}

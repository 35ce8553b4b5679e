import NIOCore

/// Tells HTTP/2 with prior knowledge (the client starts with the connection preface
/// `PRI * HTTP/2.0…`) from HTTP/1.1 on the same port, sets the pipeline up for the one it sees,
/// passes the bytes read so far on, and removes itself.
final class ProtocolDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let http1: (ChannelHandlerContext) throws -> Void
    private let http2: (ChannelHandlerContext) throws -> Void
    private var buffered: ByteBuffer?
    /// With `--verbose`: errors before the protocol is known (a failed TLS handshake) are logged.
    private let log: (@Sendable (String) -> Void)?

    init(log: (@Sendable (String) -> Void)? = nil, http1: @escaping (ChannelHandlerContext) throws -> Void,
         http2: @escaping (ChannelHandlerContext) throws -> Void) {
        self.log = log
        self.http1 = http1
        self.http2 = http2
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Nothing after this handler takes errors yet; the TLS handler closes a failed handshake itself.
        log?(ConnectionErrorText.describe(error, fallback: "connection error"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var existing = buffered {
            existing.writeBuffer(&bytes)
            buffered = existing
        } else {
            buffered = bytes
        }
        guard let seen = buffered else { return }
        let prefix = Array(seen.readableBytesView.prefix(Self.preface.count))
        let matchesSoFar = prefix == Array(Self.preface.prefix(prefix.count))
        if matchesSoFar && prefix.count < Self.preface.count { return }  // wait for more bytes
        do {
            try (matchesSoFar ? http2 : http1)(context)
        } catch {
            context.close(promise: nil)
            return
        }
        buffered = nil
        // Pass the bytes on before leaving, or the first frame would be lost.
        context.fireChannelRead(wrapInboundOut(seen))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        buffered = nil
        context.fireChannelInactive()
    }
}

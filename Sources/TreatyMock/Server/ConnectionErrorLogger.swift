import NIOCore

/// Last in an HTTP/2 connection's pipeline (with `--verbose`): logs, in words, the connection
/// errors no handler before it took, which would otherwise vanish at the pipeline's tail (a TLS
/// connection the client ended without close_notify, a reset). It only logs: the handler that
/// raised an error decides whether the connection closes. (HTTP/1.1 connections have
/// `MockHTTPHandler` last, which logs them itself; before the protocol is known,
/// `ProtocolDetector` logs.)
final class ConnectionErrorLogger: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let log: @Sendable (String) -> Void

    init(log: @escaping @Sendable (String) -> Void) { self.log = log }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        log(ConnectionErrorText.describe(error, fallback: "connection error"))
    }
}

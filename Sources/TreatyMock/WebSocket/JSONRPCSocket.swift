import Foundation
import NIOCore
import NIOWebSocket
import TreatyMatching

/// JSON-RPC over a WebSocket: each text frame is a call or a batch, answered with a text frame
/// (nothing for notifications), as `POST` calls are over HTTP. Pings are answered; a close is echoed.
final class JSONRPCSocket: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let calls: [JSONRPC.Call]
    private let journal: MockJournal?
    private let contract: Int
    private let log: @Sendable (String) -> Void
    private var reader: WebSocketMessageReader
    private var closing = false

    init(calls: [JSONRPC.Call], journal: MockJournal?, contract: Int, maximumMessageBytes: Int, log: @escaping @Sendable (String) -> Void) {
        self.calls = calls
        self.journal = journal
        self.contract = contract
        self.reader = WebSocketMessageReader(maximumMessageBytes: maximumMessageBytes)
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch reader.read(unwrapInboundIn(data)) {
        case .ping(let bytes):
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: context.channel.allocator.buffer(bytes: bytes))),
                                  promise: nil)
        case .pong, .partial:
            break
        case .close(_, let bytes):
            close(context, payload: context.channel.allocator.buffer(bytes: Array(bytes.prefix(2))))
        case .binary:
            log("jsonrpc (websocket): a binary message; JSON-RPC calls are text frames; closing with 1003")
            var payload = context.channel.allocator.buffer(capacity: 64)
            payload.write(webSocketErrorCode: .unacceptableData)
            payload.writeString("JSON-RPC calls are text messages")
            close(context, payload: payload)
        case .violation(let code, let reason):
            log("jsonrpc (websocket): \(reason); closing with \(code.rawCode)")
            var payload = context.channel.allocator.buffer(capacity: 125)
            payload.write(webSocketErrorCode: code)
            payload.writeString(String(decoding: reason.utf8.prefix(120), as: UTF8.self))
            close(context, payload: payload)
        case .text(let text):
            let answer = JSONRPC.answer(Array(text.utf8), calls: calls)
            for (position, name) in answer.matched {
                journal?.record(contract: contract, method: "WS", path: "jsonrpc", status: 101, interaction: name, position: position)
            }
            for problem in answer.problems { log("unmatched jsonrpc (websocket): \(problem)") }
            if let body = answer.body {
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(bytes: body))),
                                      promise: nil)
            }
        }
    }

    /// Sends a close frame with `payload`, then ends the connection.
    private func close(_ context: ChannelHandlerContext, payload: ByteBuffer) {
        closing = true
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        log("jsonrpc (websocket): a malformed frame (\(error)); closing")
        context.close(promise: nil)
    }
}

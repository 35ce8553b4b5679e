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
    private let shard: Int
    private let log: @Sendable (String) -> Void
    private var fragments: [UInt8]?

    init(calls: [JSONRPC.Call], journal: MockJournal?, contract: Int, shard: Int, log: @escaping @Sendable (String) -> Void) {
        self.calls = calls
        self.journal = journal
        self.contract = contract
        self.shard = shard
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        var payload = frame.unmaskedData
        let bytes = payload.readBytes(length: payload.readableBytes) ?? []
        switch frame.opcode {
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: context.channel.allocator.buffer(bytes: bytes))),
                                  promise: nil)
        case .connectionClose:
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose,
                                                                 data: context.channel.allocator.buffer(bytes: Array(bytes.prefix(2))))))
                .whenComplete { _ in channel.close(promise: nil) }
        case .text, .continuation:
            fragments = (frame.opcode == .text ? [] : fragments ?? []) + bytes
            guard frame.fin, let message = fragments else { return }
            fragments = nil
            let answer = JSONRPC.answer(message, calls: calls)
            for (position, name) in answer.matched {
                journal?.record(MockJournal.Entry(time: Date().timeIntervalSince1970, contract: contract, method: "WS", path: "jsonrpc", query: "", status: 101,
                                                  interaction: name, nearest: nil, mismatches: []), position: position, shard: shard)
            }
            for problem in answer.problems { log("unmatched jsonrpc (websocket): \(problem)") }
            if let body = answer.body {
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(bytes: body))),
                                      promise: nil)
            }
        default:
            break
        }
    }
}

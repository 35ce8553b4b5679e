import Foundation
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel

/// The mock's side of a WebSocket conversation, after the upgrade: it sends the server's steps
/// (after their gaps), waits for and matches the client's, answers pings, and closes as the
/// contract says. A client message that differs, an unmasked client frame or a step that does not
/// come in time ends the conversation with a close frame (1008, 1002) and a log line.
final class WebSocketConversation: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let interaction: String
    private let steps: [WebSocketStep]
    private let log: @Sendable (String) -> Void
    private var index = 0
    private var closing = false
    private var timer: Scheduled<Void>?
    private var reader: WebSocketMessageReader

    init(interaction: String, steps: [WebSocketStep], maximumMessageBytes: Int, log: @escaping @Sendable (String) -> Void) {
        self.interaction = interaction
        self.steps = steps
        self.reader = WebSocketMessageReader(maximumMessageBytes: maximumMessageBytes)
        self.log = log
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { advance(context) }
    }

    /// Plays server steps until the conversation waits for the client (or ends).
    private func advance(_ context: ChannelHandlerContext) {
        while index < steps.count, !closing {
            let step = steps[index]
            guard step.side == .server else {
                if let within = step.withinMilliseconds {
                    timer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(within))) { [self] in
                        fail(context, code: .policyViolation, "the client did not send step \(index + 1) (\(step.message.kindName)) within \(within) ms")
                    }
                }
                return
            }
            index += 1
            if step.afterMilliseconds > 0 {
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(step.afterMilliseconds))) { [self] in
                    guard context.channel.isActive, !closing else { return }
                    send(step.message, context)
                    advance(context)
                }
                return
            }
            send(step.message, context)
        }
    }

    private func send(_ message: WebSocketStep.Message, _ context: ChannelHandlerContext) {
        let opcode: WebSocketOpcode
        switch message {
        case .text, .json: opcode = .text
        case .binary: opcode = .binary
        case .ping: opcode = .ping
        case .close:
            opcode = .connectionClose
            closing = true
        }
        let frame = WebSocketFrame(fin: true, opcode: opcode, data: context.channel.allocator.buffer(bytes: message.exampleBytes))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch reader.read(unwrapInboundIn(data)) {
        case .ping(let bytes):
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: context.channel.allocator.buffer(bytes: bytes))),
                                  promise: nil)
            received(.ping(bytes), context)
        case .pong, .partial:
            break
        case .close(let code, let bytes):
            if index < steps.count, steps[index].side == .client, case .close = steps[index].message {
                let mismatches = WebSocketMatcher.match(.close(code: code, reason: String(decoding: bytes.dropFirst(2), as: UTF8.self)),
                                                        steps[index].message, at: "$.conversation[\(index)]")
                if !mismatches.isEmpty {
                    log("websocket \"\(interaction)\": step \(index + 1): " + mismatches.map(\.description).joined(separator: "; "))
                }
                index += 1
            }
            if !closing {
                closing = true
                // Echo the close (RFC 6455 §5.5.1), then end the connection.
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose,
                                                                     data: context.channel.allocator.buffer(bytes: Array(bytes.prefix(2))))),
                                      promise: nil)
            }
            context.close(promise: nil)
        case .text(let text):
            received(.text(text), context)
        case .binary(let bytes):
            received(.binary(bytes), context)
        case .violation(let code, let reason):
            fail(context, code: code, reason)
        }
    }

    /// A client message arrived: it must be the step the conversation waits for.
    private func received(_ frame: WebSocketMatcher.Frame, _ context: ChannelHandlerContext) {
        guard index < steps.count, steps[index].side == .client else {
            if case .ping = frame { return }  // pings outside the script are answered and otherwise ignored
            log("websocket \"\(interaction)\": the client sent \(frame.summary), which the conversation does not expect there")
            return
        }
        let step = steps[index]
        // A ping the conversation does not expect is answered and skipped.
        if case .ping = frame, step.message.kindName != "ping" { return }
        let mismatches = WebSocketMatcher.match(frame, step.message, at: "$.conversation[\(index)]")
        guard mismatches.isEmpty else {
            return fail(context, code: .policyViolation, "step \(index + 1): " + mismatches.map(\.description).joined(separator: "; "))
        }
        timer?.cancel()
        timer = nil
        index += 1
        advance(context)
    }

    private func fail(_ context: ChannelHandlerContext, code: WebSocketErrorCode, _ reason: String) {
        guard !closing else { return }
        closing = true
        timer?.cancel()
        log("websocket \"\(interaction)\": \(reason); closing with \(code.rawCode)")
        var payload = context.channel.allocator.buffer(capacity: 125)
        payload.write(webSocketErrorCode: code)
        payload.writeString(String(decoding: reason.utf8.prefix(120), as: UTF8.self))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, code: .protocolError, ConnectionErrorText.words(error) ?? "a malformed frame: \(error)")
    }
}

extension WebSocketErrorCode {
    var rawCode: Int { Int(UInt16(webSocketErrorCode: self)) }
}

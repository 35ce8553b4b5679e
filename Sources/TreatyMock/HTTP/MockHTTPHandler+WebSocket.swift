#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel
import TreatyWire

/// WebSocket upgrades: checking the request, answering 101 and handing the connection to a conversation.
extension MockHTTPHandler {
    /// Answers 101 and replaces the HTTP handlers with NIO's WebSocket codec and `handler`.
    func switchToWebSocket(_ context: ChannelHandlerContext, key: String, subprotocol: String?, handler: any ChannelHandler) {
        guard let encoder = encoderContext(context) else { return context.close(promise: nil) }
        let accepted = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(WebSocketHandshake.accept(key))\r\n"
            + (subprotocol.map { "Sec-WebSocket-Protocol: \($0)\r\n" } ?? "") + "\r\n"
        encoder.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: accepted)), promise: nil)
        timeouts?.multiplexed()
        timeouts?.streamOpened()
        let pipeline = context.pipeline.syncOperations
        if let decoder = try? pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self) {
            pipeline.removeHandler(context: decoder, promise: nil)
        }
        pipeline.removeHandler(context: encoder, promise: nil)
        if let errors = try? pipeline.context(handlerType: ProtocolErrorHandler.self) { pipeline.removeHandler(context: errors, promise: nil) }
        do {
            try pipeline.addHandlers([ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: max(1 << 14, min(configuration.maximumBodyBytes, 1 << 24)))),
                                      WebSocketFrameEncoder(), handler], position: .last)
        } catch {
            return context.close(promise: nil)
        }
        pipeline.removeHandler(context: context, promise: nil)
    }

    /// Switches the connection to WebSocket for a conversation: checks the upgrade request, answers
    /// 101 with `Sec-WebSocket-Accept` (and the contract's subprotocol), and replaces the HTTP
    /// handlers with NIO's frame codec and the conversation.
    func upgrade(_ websocket: WebSocketInteraction, _ answer: MockResponder.Answer, _ context: ChannelHandlerContext,
                         head: HTTPRequestHead) {
        let name = answer.interaction ?? ""
        guard encoderContext(context) != nil else {
            log("websocket \"\(name)\": asked over HTTP/2; WebSocket over HTTP/2 (RFC 8441) is not served")
            cancelAfterAnswer("the WebSocket upgrade was refused (asked over HTTP/2)")
            return write(context, status: 501, headers: [("Content-Type", "text/plain")],
                         body: Array("WebSocket needs HTTP/1.1 here (RFC 8441 over HTTP/2 is not supported)\n".utf8), head: head, keepAlive: true)
        }
        let headers = head.headers
        let upgradeAsked = headers[canonicalForm: "Upgrade"].contains { $0.lowercased() == "websocket" }
            && headers[canonicalForm: "Connection"].contains { $0.lowercased() == "upgrade" }
        guard upgradeAsked, let key = headers.first(name: "Sec-WebSocket-Key"), !key.isEmpty,
              headers.first(name: "Sec-WebSocket-Version") == "13" else {
            log("websocket \"\(name)\": a plain request, not a WebSocket upgrade; answered 426")
            cancelAfterAnswer("the WebSocket upgrade was refused (a plain request, answered 426)")
            return write(context, status: 426, headers: [("Content-Type", "text/plain"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13")],
                         body: Array("\"\(name)\" is a WebSocket conversation: send Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Key and Sec-WebSocket-Version: 13\n".utf8),
                         head: head, keepAlive: false)
        }
        if let subprotocol = websocket.subprotocol {
            let offered = headers[canonicalForm: "Sec-WebSocket-Protocol"].map { String($0).trimmingCharacters(in: .whitespaces) }
            guard offered.contains(subprotocol) else {
                log("websocket \"\(name)\": the client did not offer the subprotocol \"\(subprotocol)\"; answered 400")
                cancelAfterAnswer("the WebSocket upgrade was refused (subprotocol \"\(subprotocol)\" not offered, answered 400)")
                return write(context, status: 400, headers: [("Content-Type", "text/plain")],
                             body: Array("the contract's subprotocol \"\(subprotocol)\" was not offered (Sec-WebSocket-Protocol: \(offered.joined(separator: ", ")))\n".utf8),
                             head: head, keepAlive: false)
            }
        }
        runAfterAnswer()
        switchToWebSocket(context, key: key, subprotocol: websocket.subprotocol,
                          handler: WebSocketConversation(interaction: name, steps: websocket.steps,
                                                         maximumMessageBytes: configuration.maximumBodyBytes, log: log))
    }
}

#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel

/// The message hub's endpoints on every port: subscribers (event stream or WebSocket) and the Pact-style message producer.
extension MockHTTPHandler {
    /// `GET /_treaty/messages`: an event stream of the contract's messages as they are published, or
    /// with `Upgrade: websocket`, a WebSocket that gets each message's contents as a text frame.
    func subscribe(_ hub: MessageHub, _ context: ChannelHandlerContext, head: HTTPRequestHead) {
        if head.headers[canonicalForm: "Upgrade"].contains(where: { $0.lowercased() == "websocket" }),
           let key = head.headers.first(name: "Sec-WebSocket-Key") {
            // A conversation that only listens: every message arrives as a server text frame.
            let channel = context.channel, contract = contractIndex
            switchToWebSocket(context, key: key, subprotocol: nil,
                              handler: WebSocketConversation(interaction: "messages", steps: [], maximumMessageBytes: 1 << 16, log: log))
            hub.subscribe(channel, contract: contract, frames: true) { bytes in
                guard channel.isActive else { return }
                channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: bytes), promise: nil)
            }
            return
        }
        var headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        if configuration.cors, head.headers.contains(name: "Origin") {
            for (name, value) in corsHeaders(head) { headers.replaceOrAdd(name: name, value: value) }
        }
        answering = true
        timeouts?.multiplexed()
        timeouts?.streamOpened()  // a subscriber may wait for messages as long as it likes
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
        let contract = responder.current.contract.file
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: ": messages of \(contract)\n\n")))),
                              promise: nil)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        hub.subscribe(context.channel, contract: contractIndex) { bytes in
            let (handler, context) = bound.value
            guard context.channel.isActive else { return }
            context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        }
    }

    /// `POST /_treaty/messages/produce` with `{"description": NAME}`: the mock plays a message producer
    /// the way Pact's verifier asks one (so `treaty verify --message-url` round-trips with the mock).
    func produce(_ body: ByteBuffer, _ context: ChannelHandlerContext, head: HTTPRequestHead) {
        let contract = responder.current.contract
        guard let request = try? JSONParser.parse(Array(body.readableBytesView)).root, let name = request["description"]?.stringValue,
              let message = contract.message(named: name)?.message else {
            return write(context, status: 404, headers: [("Content-Type", "text/plain")],
                         body: Array("send {\"description\": NAME} naming a message interaction of \(contract.file)\n".utf8), head: head,
                         keepAlive: Self.keepsAlive(head))
        }
        let metadata = JSONNode.object(message.metadata.map { ($0.name, .string($0.values.first?.example.stringValue ?? "")) })
        let type = message.metadata.first { $0.name == "contentType" }?.values.first?.example.stringValue
            ?? message.contents?.defaultContentType ?? "application/octet-stream"
        write(context, status: 200, headers: [("Content-Type", type), ("Pact-Message-Metadata", Base64Text.encode(metadata.renderedBytes()))],
              body: message.contents?.exampleBytes ?? [], head: head, keepAlive: Self.keepsAlive(head))
    }
}

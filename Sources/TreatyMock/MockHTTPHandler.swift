#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel

/// Answers the requests of one HTTP/1.1 connection on its event loop.
///
/// The responder is pure and fast, so requests are answered right on the event loop rather than
/// in Swift tasks: the mock keeps answering even when an embedding test blocks every thread of
/// Swift's cooperative pool (a consumer test calling a blocking HTTP client is common).
final class MockHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: ResponderBox
    private let configuration: MockConfiguration
    private let log: @Sendable (String) -> Void
    private let timeouts: RequestTimeoutHandler?
    private let journal: MockJournal?
    private let contractIndex: Int
    private let dispatcher: CallbackDispatcher?
    private let hub: MessageHub?
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var tooLarge = false

    init(responder: ResponderBox, configuration: MockConfiguration, timeouts: RequestTimeoutHandler? = nil,
         journal: MockJournal? = nil, contractIndex: Int = 0, dispatcher: CallbackDispatcher? = nil, hub: MessageHub? = nil,
         log: @escaping @Sendable (String) -> Void) {
        self.dispatcher = dispatcher
        self.hub = hub
        self.responder = responder
        self.configuration = configuration
        self.timeouts = timeouts
        self.journal = journal
        self.contractIndex = contractIndex
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.clear()
            tooLarge = false
        case .body(var chunk):
            if tooLarge { return }
            if body.readableBytes + chunk.readableBytes > configuration.maximumBodyBytes {
                tooLarge = true
                body.clear()
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            timeouts?.requestReceived()
            if tooLarge {
                write(context, status: 413, headers: [("Content-Type", "text/plain")],
                      body: Array("request body larger than \(configuration.maximumBodyBytes) bytes\n".utf8),
                      head: requestHead, keepAlive: false)
                return
            }
            // Without NIO's pipelining helper, requests that arrive while a delayed answer is pending
            // wait here, so answers keep their order.
            if answering {
                return queue(requestHead, body, context)
            }
            handle(requestHead, body, context)
        }
    }

    /// A delayed answer is pending; later requests on the connection wait in `waiting`.
    private var answering = false
    private var waiting: [(HTTPRequestHead, ByteBuffer)] = []
    private var waitingBytes = 0
    /// Closes the connection when the oldest waiting request has waited `--request-timeout`.
    private var waitingTimer: Scheduled<Void>?

    /// How many pipelined requests, and how many of their body bytes, may wait behind an answer.
    static let maximumWaitingRequests = 16

    /// Queues a request pipelined behind a pending answer, within bounds: at most
    /// `maximumWaitingRequests` requests and `--max-body` bytes of bodies wait, and none longer
    /// than `--request-timeout`; past either the connection is closed (HTTP/1.1 answers in order,
    /// so a late request cannot be answered before the one it waits behind).
    private func queue(_ requestHead: HTTPRequestHead, _ body: ByteBuffer, _ context: ChannelHandlerContext) {
        guard waiting.count < Self.maximumWaitingRequests, waitingBytes + body.readableBytes <= configuration.maximumBodyBytes else {
            log("\(requestHead.method) \(requestHead.uri): more than \(Self.maximumWaitingRequests) requests or \(configuration.maximumBodyBytes) "
                + "body bytes pipelined behind an answer still going out; closing the connection")
            return context.close(promise: nil)
        }
        waiting.append((requestHead, body))
        waitingBytes += body.readableBytes
        if waitingTimer == nil { armWaitingTimer(context) }
    }

    private func armWaitingTimer(_ context: ChannelHandlerContext) {
        let timeout = TimeAmount.milliseconds(Int64(configuration.requestTimeout * 1000))
        waitingTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            waitingTimer = nil
            guard !waiting.isEmpty, context.channel.isActive else { return }
            log("\(waiting[0].0.method) \(waiting[0].0.uri): pipelined behind an answer that took longer than --request-timeout "
                + "(\(configuration.requestTimeout) s); closing the connection")
            context.close(promise: nil)
        }
    }

    private func handle(_ requestHead: HTTPRequestHead, _ body: ByteBuffer, _ context: ChannelHandlerContext) {
        if preflight(requestHead, context) { return }
        // Read once: each read of the box copies the responder (a retain per stored reference).
        let current = responder.current
        if let hub, requestHead.method == .GET, requestHead.uri.hasPrefix(MessageHub.path),
           HTTPRequestData(method: "GET", target: requestHead.uri).path == MessageHub.path {
            return subscribe(hub, context, head: requestHead)
        }
        if requestHead.method == .POST, requestHead.uri == MessageHub.path + "/produce" {
            return produce(body, context, head: requestHead)
        }
        if requestHead.method == .GET, !current.rpcSocketCalls.isEmpty,
           let calls = current.rpcSocketCalls[HTTPRequestData(method: "GET", target: requestHead.uri).path],
           let key = requestHead.headers.first(name: "Sec-WebSocket-Key"),
           requestHead.headers[canonicalForm: "Upgrade"].contains(where: { $0.lowercased() == "websocket" }) {
            return switchToWebSocket(context, key: key, subprotocol: nil,
                                     handler: JSONRPCSocket(calls: calls, journal: journal, contract: contractIndex,
                                                        maximumMessageBytes: configuration.maximumBodyBytes, log: log))
        }
        if requestHead.method == .POST, !current.rpcCalls.isEmpty,
           let calls = current.rpcCalls[HTTPRequestData(method: "POST", target: requestHead.uri).path] {
            return rpc(calls, body, context, head: requestHead)
        }
        let request = HTTPRequestData(
            method: requestHead.method.rawValue, target: requestHead.uri,
            headers: requestHead.headers.map { ($0.name, $0.value) },
            body: body.readableBytes > 0 ? Array(body.readableBytesView) : [])
        let answer = current.respond(to: request, baseURL: baseURL(context))
        report(request, answer)
        if let position = answer.position, let dispatcher,
           let callbacks = current.callbacks(at: position, request: request, baseURL: baseURL(context)) {
            // Sent after the answer (and its delay or fault), each after its own delay.
            afterAnswer = dispatcher.prepare(callbacks, contract: current.contract.file, interaction: answer.interaction ?? "")
        }
        journal?.record(contract: contractIndex, method: request.method, path: request.path, query: request.query, status: answer.status,
                        interaction: answer.interaction, nearest: answer.nearest, mismatches: answer.mismatches, position: answer.position)
        // A call releases the long polls waiting for it (on any connection).
        if let name = answer.interaction, !current.state.holds.isEmpty { current.state.holds.release("call:" + name) }
        switch answer.mode {
        case .hold(let plan):
            holdAnswer(answer, plan, current.state.holds, context, head: requestHead)
        case .upgrade(let websocket):
            upgrade(websocket, answer, context, head: requestHead)
        case .deliver(let delivery, let delay?):
            answering = true
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(Int.random(in: delay)))) { [self] in
                answering = false
                guard context.channel.isActive else { return }
                deliver(delivery, answer, context, head: requestHead)
                // A stream ends its own answer (and answers the requests queued behind it).
                if case .stream = delivery { return }
                answerDone(context)
            }
        case .deliver(let delivery, nil):
            deliver(delivery, answer, context, head: requestHead)
        }
    }

    /// Writes the answer as its delivery says, then sends the callbacks it triggers. A fault may
    /// close the connection at once, and a closed connection cancels callbacks still waiting for
    /// their answer, so with a fault they are handed over first.
    private func deliver(_ delivery: MockResponder.Delivery, _ answer: MockResponder.Answer, _ context: ChannelHandlerContext,
                         head: HTTPRequestHead) {
        switch delivery {
        case .prepared(let wire):
            writePrepared(context, wire, head: head, keepAlive: Self.keepsAlive(head))
        case .rendered:
            write(context, status: answer.status, headers: answer.headers, body: answer.body, head: head, keepAlive: Self.keepsAlive(head))
        case .stream(let stream):
            startStream(answer, stream, context, head: head)
        case .fault(let fault):
            runAfterAnswer()
            play(fault, answer, context, head: head)
        }
        runAfterAnswer()
    }

    /// The long poll held on this connection: its registry key and id, and its timeout.
    private var held: (key: String, id: Int, timeout: Scheduled<Void>)?

    /// Holds a long-poll request: for its time, or until its trigger or call comes (then `answer`),
    /// or its timeout passes (then the timeout answer).
    private func holdAnswer(_ answer: MockResponder.Answer, _ plan: MockResponder.HoldPlan, _ holds: HoldRegistry,
                            _ context: ChannelHandlerContext, head: HTTPRequestHead) {
        answering = true
        let loop = context.eventLoop.assumeIsolated()
        guard let key = plan.key, case let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop) else {
            if case .duration(let ms) = plan.hold {
                loop.scheduleTask(in: .milliseconds(Int64(ms))) { [self] in finishHold(answer, plan.delivery, context, head: head) }
            }
            return
        }
        let eventLoop = context.eventLoop
        let id = holds.hold(key) {
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.held?.timeout.cancel()
                handler.finishHold(answer, plan.delivery, context, head: head)
            }
        }
        let timeout = loop.scheduleTask(in: .milliseconds(Int64(plan.timeoutMilliseconds))) { [self] in
            guard holds.cancel(key, id: id) else { return }  // released just now: that answer wins
            finishHold(plan.timeoutAnswer, plan.timeoutDelivery, context, head: head)
        }
        held = (key, id, timeout)
    }

    private func finishHold(_ answer: MockResponder.Answer, _ delivery: MockResponder.Delivery, _ context: ChannelHandlerContext,
                            head: HTTPRequestHead) {
        held = nil
        guard context.channel.isActive else { return }
        deliver(delivery, answer, context, head: head)
        answerDone(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        waitingTimer?.cancel()
        waitingTimer = nil
        cancelAfterAnswer("the client closed the connection before its answer was sent")
        // A client that hangs up while held is forgotten.
        if let held {
            held.timeout.cancel()
            responder.current.state.holds.cancel(held.key, id: held.id)
            self.held = nil
        }
        context.fireChannelInactive()
    }

    /// `GET /_treaty/messages`: an event stream of the contract's messages as they are published, or
    /// with `Upgrade: websocket`, a WebSocket that gets each message's contents as a text frame.
    private func subscribe(_ hub: MessageHub, _ context: ChannelHandlerContext, head: HTTPRequestHead) {
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

    /// Answers 101 and replaces the HTTP handlers with NIO's WebSocket codec and `handler`.
    private func switchToWebSocket(_ context: ChannelHandlerContext, key: String, subprotocol: String?, handler: any ChannelHandler) {
        guard let encoder = encoderContext(context) else { return context.close(promise: nil) }
        let accepted = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(WebSocketConversation.accept(key))\r\n"
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

    /// A JSON-RPC endpoint: single calls, batches and notifications answered by method and params,
    /// with the standard's error objects (-32700, -32600, -32601, -32602) for what matches nothing.
    private func rpc(_ calls: [JSONRPC.Call], _ body: ByteBuffer, _ context: ChannelHandlerContext, head: HTTPRequestHead) {
        let answer = JSONRPC.answer(Array(body.readableBytesView), calls: calls)
        let request = HTTPRequestData(method: "POST", target: head.uri)
        for (position, name) in answer.matched {
            if configuration.verbose { log("jsonrpc \(request.path) → \"\(name)\"") }
            journal?.record(contract: contractIndex, method: "POST", path: request.path, query: request.query,
                            status: answer.body == nil ? 204 : 200, interaction: name, position: position)
        }
        for problem in answer.problems {
            log("unmatched jsonrpc \(request.path): \(problem)")
            journal?.record(contract: contractIndex, method: "POST", path: request.path, query: request.query, status: 200,
                            interaction: nil, position: nil)
        }
        if let bytes = answer.body {
            write(context, status: 200, headers: [("Content-Type", "application/json")], body: bytes, head: head, keepAlive: Self.keepsAlive(head))
        } else {
            write(context, status: 204, headers: [], body: [], head: head, keepAlive: Self.keepsAlive(head))
        }
    }

    /// `POST /_treaty/messages/produce` with `{"description": NAME}`: the mock plays a message producer
    /// the way Pact's verifier asks one (so `treaty verify --message-url` round-trips with the mock).
    private func produce(_ body: ByteBuffer, _ context: ChannelHandlerContext, head: HTTPRequestHead) {
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

    /// Switches the connection to WebSocket for a conversation: checks the upgrade request, answers
    /// 101 with `Sec-WebSocket-Accept` (and the contract's subprotocol), and replaces the HTTP
    /// handlers with NIO's frame codec and the conversation.
    private func upgrade(_ websocket: WebSocketInteraction, _ answer: MockResponder.Answer, _ context: ChannelHandlerContext,
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

    /// A pending answer (delayed, or a stream) ended: answer the requests that waited for it.
    private func answerDone(_ context: ChannelHandlerContext) {
        answering = false
        waitingTimer?.cancel()
        waitingTimer = nil
        while !answering, !waiting.isEmpty, context.channel.isActive {
            let (nextHead, nextBody) = waiting.removeFirst()
            waitingBytes -= nextBody.readableBytes
            handle(nextHead, nextBody, context)
        }
        // Requests still waiting behind the next pending answer: their time starts again with it.
        if !waiting.isEmpty { armWaitingTimer(context) }
    }

    /// Streams an SSE answer: the head, then each event after its gap; then the end of the
    /// response, or nothing (the stream stays open until the client goes). A client that sends
    /// `Last-Event-ID` resumes after that event.
    private func startStream(_ answer: MockResponder.Answer, _ stream: MockResponder.EventStream, _ context: ChannelHandlerContext,
                             head: HTTPRequestHead) {
        var headers = HTTPHeaders(answer.headers)
        headers.remove(name: "Content-Length")
        if !headers.contains(name: "Cache-Control") { headers.add(name: "Cache-Control", value: "no-cache") }
        if configuration.cors, head.headers.contains(name: "Origin") {
            for (name, value) in corsHeaders(head) { headers.replaceOrAdd(name: name, value: value) }
        }
        // HTTP/1.0 has no chunked encoding: the end of the connection ends the stream.
        let closes = head.version == .http1_0 || !head.isKeepAlive && head.version.major == 1
        if closes { headers.replaceOrAdd(name: "Connection", value: "close") }
        answering = true
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: answer.status),
                                                                     headers: headers))), promise: nil)
        let events = head.method == .HEAD ? [] : stream.resuming(after: head.headers.first(name: "Last-Event-ID"))
        streamEvents(events, close: stream.close || head.method == .HEAD, closesConnection: closes, context)
    }

    private func streamEvents(_ events: ArraySlice<MockResponder.EventStream.Event>, close: Bool, closesConnection: Bool,
                              _ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        guard let next = events.first else {
            guard close else { return }  // the stream stays open
            let channel = context.channel
            if closesConnection {
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            } else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                timeouts?.answerSent()
                answerDone(context)
            }
            return
        }
        let write = { [self] in
            guard context.channel.isActive else { return }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: next.bytes)))), promise: nil)
            streamEvents(events.dropFirst(), close: close, closesConnection: closesConnection, context)
        }
        if next.delayMilliseconds > 0 {
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(next.delayMilliseconds))) { write() }
        } else {
            write()
        }
    }

    /// Callbacks to send once the current answer is out.
    private var afterAnswer: CallbackDispatcher.Prepared?

    private func runAfterAnswer() {
        guard let prepared = afterAnswer else { return }
        afterAnswer = nil
        prepared.send()
    }

    /// The answer that would trigger the pending callbacks will not go out: they are not sent.
    private func cancelAfterAnswer(_ reason: String) {
        guard let prepared = afterAnswer else { return }
        afterAnswer = nil
        prepared.cancel(reason)
    }

    private var cachedBaseURL: String?

    private func baseURL(_ context: ChannelHandlerContext) -> String {
        if let cachedBaseURL { return cachedBaseURL }
        var url = ""
        if let address = context.channel.localAddress, let port = address.port {
            let host = address.ipAddress ?? configuration.host
            // The scheme the port speaks: a mockServerURL generator under --tls-* names https.
            url = (configuration.tls == nil ? "http://" : "https://") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        }
        cachedBaseURL = url
        return url
    }

    /// HTTP/2 streams have no connection semantics: they always "keep alive" (the stream ends, the
    /// connection stays), and must not carry `Connection` headers.
    static func keepsAlive(_ head: HTTPRequestHead) -> Bool { head.version.major == 2 || head.isKeepAlive }

    /// Plays a fault instead of the answer. Faults write raw bytes below the HTTP encoder (from its
    /// context) and always end the connection.
    private func play(_ fault: MockBehaviour.Fault, _ answer: MockResponder.Answer, _ context: ChannelHandlerContext, head: HTTPRequestHead) {
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

    private func trickle(_ rest: ArraySlice<UInt8>, size: Int, every: Int, _ context: ChannelHandlerContext) {
        let channel = context.channel
        guard !rest.isEmpty, channel.isActive else { return channel.close(promise: nil) }
        let chunk = Array(rest.prefix(size))
        writeRaw(chunk, context) {}
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(every))) { [self] in
            self.trickle(rest.dropFirst(size), size: size, every: every, context)
        }
    }

    /// The answer as HTTP/1.1 bytes with `Connection: close`.
    private func rawResponse(_ answer: MockResponder.Answer, head: HTTPRequestHead) -> [UInt8] {
        let status = HTTPResponseStatus(statusCode: answer.status)
        var text = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for (name, value) in answer.headers where !name.caseInsensitiveEquals("Content-Length") && !name.caseInsensitiveEquals("Connection") {
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Length: \(answer.body.count)\r\nConnection: close\r\n\r\n"
        return Array(text.utf8) + (head.method == .HEAD ? [] : answer.body)
    }

    /// The HTTP/1 encoder's context (bytes written there go straight to the socket); nil on HTTP/2 streams.
    private var encoder: ChannelHandlerContext??

    private func encoderContext(_ context: ChannelHandlerContext) -> ChannelHandlerContext? {
        if let encoder { return encoder }
        let found = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
        encoder = .some(found)
        return found
    }

    /// Writes bytes from the HTTP encoder's context, so they reach the socket as they are.
    private func writeRaw(_ bytes: [UInt8], _ context: ChannelHandlerContext, then: @escaping () -> Void) {
        guard let encoder = encoderContext(context) else {
            context.channel.close(promise: nil)
            return
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { _ in then() }
        encoder.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: bytes)), promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that vanishes or sends garbage ends its own connection only.
        if configuration.verbose { log(ConnectionErrorText.describe(error, fallback: "connection closed")) }
        context.close(promise: nil)
    }

    private func report(_ request: HTTPRequestData, _ answer: MockResponder.Answer) {
        let unmatched = answer.interaction == nil
        guard unmatched || configuration.verbose else { return }
        let target = request.path + (request.query.isEmpty ? "" : "?" + request.query)
        switch configuration.logFormat {
        case .json:
            var members: [(String, JSONNode)] = [
                ("time", .string(Self.timestamp())), ("method", .string(request.method)), ("target", .string(target)),
                ("status", .number(answer.status)), ("interaction", answer.interaction.map { .string($0) } ?? .null),
            ]
            if unmatched { members.append(("mismatches", .array(answer.mismatches.prefix(10).map(\.json)))) }
            log(JSONNode.object(members).rendered())
        case .text:
            if let name = answer.interaction {
                log("\(request.method) \(target) → \(answer.status) \"\(name)\"")
                return
            }
            var line = "unmatched \(request.method) \(target) → \(answer.status)"
            if let first = answer.mismatches.first {
                line += "; nearest mismatch \(first.description)"
                if answer.mismatches.count > 1 { line += " (+\(answer.mismatches.count - 1) more)" }
            }
            log(line)
        }
    }

    /// The journal's clock, as log lines show it: `2026-12-03T20:15:00.123Z`.
    private static func timestamp() -> String {
        let now = MockJournal.now()
        var parts = tm()
        var seconds = time_t(now.rounded(.down))
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let millis = min(999, Int((now - now.rounded(.down)) * 1000))
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }

    /// CORS: a preflight from an origin `--cors` allows gets 204 with what it asked for, from
    /// another 403; other answers to a request with an Origin get the policy's headers.
    private func preflight(_ head: HTTPRequestHead, _ context: ChannelHandlerContext) -> Bool {
        guard let policy = configuration.corsPolicy, head.method == .OPTIONS,
              let method = head.headers.first(name: "Access-Control-Request-Method") else {
            return false
        }
        if let origin = head.headers.first(name: "Origin"), !policy.allows(origin) {
            log("CORS preflight from \(origin) refused: not among the --cors origins")
            write(context, status: 403, headers: [(name: "Content-Type", value: "text/plain")] + policy.headers(origin: origin),
                  body: Array("origin \(origin) is not allowed by --cors\n".utf8), head: head, keepAlive: Self.keepsAlive(head))
            return true
        }
        var headers: [(name: String, value: String)] = corsHeaders(head)
        headers.append(("Access-Control-Allow-Methods", method + ", GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD"))
        if let requested = head.headers.first(name: "Access-Control-Request-Headers") {
            headers.append(("Access-Control-Allow-Headers", requested))
        }
        headers.append(("Access-Control-Max-Age", "600"))
        write(context, status: 204, headers: headers, body: [], head: head, keepAlive: Self.keepsAlive(head))
        return true
    }

    private func corsHeaders(_ head: HTTPRequestHead) -> [(name: String, value: String)] {
        configuration.corsPolicy?.headers(origin: head.headers.first(name: "Origin")) ?? []
    }

    /// Writes an answer built once: no copy of the body, no header building unless the
    /// connection needs a `Connection` header.
    private func writePrepared(_ context: ChannelHandlerContext, _ wire: MockResponder.WireAnswer, head: HTTPRequestHead, keepAlive: Bool) {
        // The common case, an HTTP/1.1 keep-alive answer without CORS headers, goes out as bytes
        // prepared once, below the HTTP encoder: no header serialisation per request.
        if keepAlive, head.version == .http1_1, !configuration.cors, let encoder = encoderContext(context) {
            encoder.writeAndFlush(NIOAny(head.method == .HEAD ? wire.rawHead : wire.raw), promise: nil)
            timeouts?.answerSent()
            return
        }
        var headers = wire.headers
        if configuration.cors, head.headers.contains(name: "Origin") {
            for (name, value) in corsHeaders(head) { headers.replaceOrAdd(name: name, value: value) }
        }
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if head.version == .http1_0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: wire.status, headers: headers))), promise: nil)
        if head.method != .HEAD && wire.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(wire.body))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            timeouts?.answerSent()
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func write(
        _ context: ChannelHandlerContext, status: Int, headers: [(name: String, value: String)], body: [UInt8],
        head: HTTPRequestHead, keepAlive: Bool
    ) {
        var responseHeaders = HTTPHeaders(headers)
        responseHeaders.replaceOrAdd(name: "Content-Length", value: String(body.count))
        if configuration.cors, head.headers.contains(name: "Origin"), !responseHeaders.contains(name: "Access-Control-Allow-Origin") {
            for (name, value) in corsHeaders(head) { responseHeaders.replaceOrAdd(name: name, value: value) }
        }
        if !keepAlive {
            responseHeaders.replaceOrAdd(name: "Connection", value: "close")
        } else if head.version == .http1_0 {
            responseHeaders.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status),
                                            headers: responseHeaders)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD && !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        } else {
            timeouts?.answerSent()
        }
    }
}

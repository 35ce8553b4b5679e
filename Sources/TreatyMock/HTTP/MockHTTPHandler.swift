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

    let responder: ResponderBox
    let configuration: MockConfiguration
    let log: @Sendable (String) -> Void
    let timeouts: RequestTimeoutHandler?
    let journal: MockJournal?
    let contractIndex: Int
    let dispatcher: CallbackDispatcher?
    let hub: MessageHub?
    var head: HTTPRequestHead?
    var body = ByteBuffer()
    var tooLarge = false

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
    var answering = false
    var waiting: [(HTTPRequestHead, ByteBuffer)] = []
    var waitingBytes = 0

    /// Closes the connection when the oldest waiting request has waited `--request-timeout`.
    var waitingTimer: Scheduled<Void>?

    /// How many pipelined requests, and how many of their body bytes, may wait behind an answer.
    static let maximumWaitingRequests = 16

    /// Queues a request pipelined behind a pending answer, within bounds: at most
    /// `maximumWaitingRequests` requests and `--max-body` bytes of bodies wait, and none longer
    /// than `--request-timeout`; past either the connection is closed (HTTP/1.1 answers in order,
    /// so a late request cannot be answered before the one it waits behind).
    func queue(_ requestHead: HTTPRequestHead, _ body: ByteBuffer, _ context: ChannelHandlerContext) {
        guard waiting.count < Self.maximumWaitingRequests, waitingBytes + body.readableBytes <= configuration.maximumBodyBytes else {
            log("\(requestHead.method) \(requestHead.uri): more than \(Self.maximumWaitingRequests) requests or \(configuration.maximumBodyBytes) "
                + "body bytes pipelined behind an answer still going out; closing the connection")
            return context.close(promise: nil)
        }
        waiting.append((requestHead, body))
        waitingBytes += body.readableBytes
        if waitingTimer == nil { armWaitingTimer(context) }
    }

    func armWaitingTimer(_ context: ChannelHandlerContext) {
        let timeout = TimeAmount.milliseconds(Int64(configuration.requestTimeout * 1000))
        waitingTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            waitingTimer = nil
            guard !waiting.isEmpty, context.channel.isActive else { return }
            log("\(waiting[0].0.method) \(waiting[0].0.uri): pipelined behind an answer that took longer than --request-timeout "
                + "(\(configuration.requestTimeout) s); closing the connection")
            context.close(promise: nil)
        }
    }

    func handle(_ requestHead: HTTPRequestHead, _ body: ByteBuffer, _ context: ChannelHandlerContext) {
        // Read once: each read of the box copies the responder (a retain per stored reference).
        let current = responder.current
        switch MockRoute.of(requestHead, responder: current, cors: configuration.cors, hub: hub != nil) {
        case .preflight(let method):
            preflight(requestHead, method: method, context)
        case .subscribe:
            if let hub { subscribe(hub, context, head: requestHead) }
        case .produce:
            produce(body, context, head: requestHead)
        case .jsonRPCSocket(let calls, let key):
            switchToWebSocket(context, key: key, subprotocol: nil,
                              handler: JSONRPCSocket(calls: calls, journal: journal, contract: contractIndex,
                                                     maximumMessageBytes: configuration.maximumBodyBytes, log: log))
        case .jsonRPC(let calls):
            rpc(calls, body, context, head: requestHead)
        case .interaction:
            answer(requestHead, body, current, context)
        }
    }

    /// A request for the contract's interactions: matched, journaled, logged, then answered as its
    /// mode says.
    func answer(_ requestHead: HTTPRequestHead, _ body: ByteBuffer, _ current: MockResponder, _ context: ChannelHandlerContext) {
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
    func deliver(_ delivery: MockResponder.Delivery, _ answer: MockResponder.Answer, _ context: ChannelHandlerContext,
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
    var held: (key: String, id: Int, timeout: Scheduled<Void>)?

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

    /// A pending answer (delayed, or a stream) ended: answer the requests that waited for it.
    func answerDone(_ context: ChannelHandlerContext) {
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

    /// Callbacks to send once the current answer is out.
    var afterAnswer: CallbackDispatcher.Prepared?

    func runAfterAnswer() {
        guard let prepared = afterAnswer else { return }
        afterAnswer = nil
        prepared.send()
    }

    /// The answer that would trigger the pending callbacks will not go out: they are not sent.
    func cancelAfterAnswer(_ reason: String) {
        guard let prepared = afterAnswer else { return }
        afterAnswer = nil
        prepared.cancel(reason)
    }

    var cachedBaseURL: String?

    func baseURL(_ context: ChannelHandlerContext) -> String {
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

    /// The HTTP/1 encoder's context (bytes written there go straight to the socket); nil on HTTP/2 streams.
    var encoder: ChannelHandlerContext??

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that vanishes or sends garbage ends its own connection only.
        if configuration.verbose { log(ConnectionErrorText.describe(error, fallback: "connection closed")) }
        context.close(promise: nil)
    }
}

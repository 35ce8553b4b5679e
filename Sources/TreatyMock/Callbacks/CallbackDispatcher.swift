import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TreatyMatching
import TreatyModel

/// A callback with its values filled in from the request that triggered it.
public struct RenderedCallback: Sendable {
    public var name: String
    public var delayMilliseconds: Int
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// Fills `callback` in: generators read the triggering request (`fromRequest`), the interaction's
    /// state parameters and the mock's URL.
    public static func render(_ callback: Callback, _ generator: ValueGenerator) -> RenderedCallback {
        func text(_ pattern: Pattern) -> String {
            let node = generator.render(pattern)
            return node.stringValue ?? node.rendered()
        }
        var headers: [(name: String, value: String)] = callback.headers.map { spec in
            // Generated values may come from the request: never let them break the header.
            (spec.name, spec.values.map { text($0).filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" && $0 != "\0" } }.joined(separator: ", "))
        }
        var body: [UInt8] = []
        if let spec = callback.body {
            switch spec {
            case .json(let p): body = generator.render(p).renderedBytes()
            case .text(let p): body = Array(text(p).utf8)
            default: body = spec.exampleBytes
            }
            if !headers.contains(where: { $0.name.caseInsensitiveEquals("Content-Type") }) {
                headers.append(("Content-Type", spec.defaultContentType))
            }
        }
        headers.removeAll { $0.name.caseInsensitiveEquals("Content-Length") || $0.name.caseInsensitiveEquals("Transfer-Encoding") }
        return RenderedCallback(name: callback.name, delayMilliseconds: callback.delayMilliseconds, method: callback.method,
                                url: text(callback.url), headers: headers, body: body)
    }
}

/// Sends callbacks (webhooks) after answers, on the event loops, and keeps the outcome of the
/// latest deliveries for the admin API (`GET /callbacks`). A delivery is one attempt with a
/// timeout; failures are logged, never retried (a consumer test wants to see them, not wait).
public final class CallbackDispatcher: Sendable {
    public struct Delivery: Sendable {
        public enum Outcome: String, Sendable {
            /// Sent and answered 2xx.
            case delivered
            /// Sent and answered with another status.
            case rejected
            /// Not sent or not answered: bad URL, refused connection, TLS failure, timeout.
            case failed
            /// Waiting for its delay or its answer.
            case pending
            /// Never sent: the answer that triggers it did not go out (the client left while it was
            /// delayed or held, or a WebSocket upgrade was refused). The reason is in `error`.
            case cancelled
        }

        public var id: Int
        public var time: Double
        public var contract: String
        public var interaction: String
        public var callback: String
        public var method: String
        public var url: String
        public var outcome: Outcome
        public var status: Int?
        public var error: String?
        public var milliseconds: Int?
    }

    private struct Book {
        var deliveries: [Delivery] = []
        var nextID = 1
        var counts: [Delivery.Outcome: Int] = [:]
    }

    private let book = NIOLockedValueBox(Book())
    private let capacity: Int
    private let timeout: TimeAmount
    fileprivate let log: @Sendable (String) -> Void
    private let group: any EventLoopGroup
    private let tls = NIOLockedValueBox<NIOSSLContext?>(nil)

    public init(capacity: Int = 1000, timeoutSeconds: Double = 10, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.capacity = max(1, capacity)
        self.timeout = .milliseconds(Int64(timeoutSeconds * 1000))
        self.group = group
        self.log = log
    }

    /// The latest deliveries, oldest first.
    public func deliveries() -> [Delivery] { book.withLockedValue { $0.deliveries } }

    /// How many deliveries ended each way since the start (or the last reset).
    public func counts() -> [Delivery.Outcome: Int] { book.withLockedValue { $0.counts } }

    public func reset() { book.withLockedValue { $0 = Book() } }

    /// Waits until no delivery is pending or `seconds` pass; true when none is pending.
    public func settle(seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if !book.withLockedValue({ $0.deliveries.contains { $0.outcome == .pending } }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// Callbacks recorded as pending, waiting for the answer that triggers them: either `send`
    /// (after the answer went out) or `cancel` (it never will), exactly one of them, once.
    public struct Prepared: Sendable {
        fileprivate let dispatcher: CallbackDispatcher
        fileprivate let ids: [Int]
        fileprivate let callbacks: [RenderedCallback]
        fileprivate let interaction: String

        /// Sends each callback after its delay.
        public func send() {
            for (id, callback) in zip(ids, callbacks) { dispatcher.send(id, callback, interaction: interaction) }
        }

        /// Marks every callback `cancelled`, with `reason`, and logs it once.
        public func cancel(_ reason: String) {
            for id in ids { dispatcher.finish(id, outcome: .cancelled, status: nil, error: reason, ms: 0) }
            let names = callbacks.map { "\"\($0.name)\"" }.joined(separator: ", ")
            dispatcher.log("callback\(callbacks.count == 1 ? "" : "s") \(names) of \"\(interaction)\" not sent: \(reason)")
        }
    }

    /// Records `callbacks` as pending; the caller then sends or cancels them. The mock records them
    /// before it writes the answer, so a client that reads the answer and then asks the admin API
    /// (or `settle`) already sees them.
    public func prepare(_ callbacks: [RenderedCallback], contract: String, interaction: String) -> Prepared {
        let ids = callbacks.map { begin($0, contract: contract, interaction: interaction) }
        return Prepared(dispatcher: self, ids: ids, callbacks: callbacks, interaction: interaction)
    }

    /// Sends `callbacks`, each after its delay.
    public func fire(_ callbacks: [RenderedCallback], contract: String, interaction: String) {
        prepare(callbacks, contract: contract, interaction: interaction).send()
    }

    fileprivate func send(_ id: Int, _ callback: RenderedCallback, interaction: String) {
        let loop = group.next()
        let started = NIODeadline.now() + .milliseconds(Int64(callback.delayMilliseconds))
        loop.scheduleTask(deadline: started) { [self] in
            send(callback, on: loop).whenComplete { [self] result in
                let elapsed = Int((NIODeadline.now() - started).nanoseconds / 1_000_000)
                switch result {
                case .success(let status):
                    finish(id, outcome: (200..<300).contains(status) ? .delivered : .rejected, status: status, error: nil, ms: elapsed)
                    if !(200..<300).contains(status) {
                        log("callback \"\(callback.name)\" of \"\(interaction)\": \(callback.method) \(callback.url) answered \(status)")
                    }
                case .failure(let error):
                    let text = Self.describe(error)
                    finish(id, outcome: .failed, status: nil, error: text, ms: elapsed)
                    log("callback \"\(callback.name)\" of \"\(interaction)\" not delivered: \(callback.method) \(callback.url): \(text)")
                }
            }
        }
    }

    private func begin(_ callback: RenderedCallback, contract: String, interaction: String) -> Int {
        book.withLockedValue { book in
            let id = book.nextID
            book.nextID += 1
            book.deliveries.append(Delivery(id: id, time: MockJournal.now(), contract: contract, interaction: interaction,
                                            callback: callback.name, method: callback.method, url: callback.url, outcome: .pending))
            if book.deliveries.count > capacity {
                // Drop the oldest finished ones first; pending ones finish soon (they time out).
                if let oldest = book.deliveries.firstIndex(where: { $0.outcome != .pending }) {
                    book.deliveries.remove(at: oldest)
                } else {
                    book.deliveries.removeFirst()
                }
            }
            return id
        }
    }

    fileprivate func finish(_ id: Int, outcome: Delivery.Outcome, status: Int?, error: String?, ms: Int) {
        book.withLockedValue { book in
            book.counts[outcome, default: 0] += 1
            guard let i = book.deliveries.lastIndex(where: { $0.id == id }) else { return }
            book.deliveries[i].outcome = outcome
            book.deliveries[i].status = status
            book.deliveries[i].error = error
            book.deliveries[i].milliseconds = ms
        }
    }

    struct CallbackError: Error, CustomStringConvertible {
        var description: String
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? CallbackError { return error.description }
        if error is ChannelError, case .connectTimeout = error as! ChannelError { return "connection timed out" }
        if let error = error as? NIOConnectionError {
            let cause = error.connectionErrors.first.map { attempt -> String in
                if let io = attempt.error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
                return "\(attempt.error)"
            }
            return "cannot connect to \(error.host):\(error.port)" + (cause.map { ": " + $0 } ?? "")
        }
        return "\(error)"
    }

    /// One HTTP/1.1 request on a fresh connection; the status of the answer.
    private func send(_ callback: RenderedCallback, on loop: any EventLoop) -> EventLoopFuture<Int> {
        guard let url = URLComponents(string: callback.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            return loop.makeFailedFuture(CallbackError(description: "\"\(callback.url)\" is not an absolute http:// or https:// URL"))
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        var target = url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath
        if let query = url.percentEncodedQuery { target += "?" + query }
        var headers = HTTPHeaders(callback.headers)
        if !headers.contains(name: "Host") {
            headers.add(name: "Host", value: (host.contains(":") ? "[\(host)]" : host) + (url.port.map { ":\($0)" } ?? ""))
        }
        if !headers.contains(name: "User-Agent") { headers.add(name: "User-Agent", value: "treaty-mock") }
        headers.replaceOrAdd(name: "Content-Length", value: String(callback.body.count))
        headers.replaceOrAdd(name: "Connection", value: "close")
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: callback.method), uri: target, headers: headers)
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = scheme == "https" ? try clientTLS() : nil
        } catch {
            return loop.makeFailedFuture(error)
        }
        let promise = loop.makePromise(of: Int.self)
        let body = callback.body
        let isAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tlsContext, serverHostname: isAddress ? nil : host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(CallbackExchange(head: head, body: body, promise: promise))
                }
            }
            .connect(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
            .whenComplete { result in
                switch result {
                case .failure(let error): promise.fail(error)
                case .success(let channel):
                    let timer = channel.eventLoop.scheduleTask(in: self.timeout) {
                        promise.fail(CallbackError(description: "no answer within \(self.timeout.nanoseconds / 1_000_000_000) s"))
                        channel.close(promise: nil)
                    }
                    promise.futureResult.whenComplete { _ in
                        timer.cancel()
                        channel.close(promise: nil)
                    }
                }
            }
        return promise.futureResult
    }

    private func clientTLS() throws -> NIOSSLContext {
        try tls.withLockedValue { context in
            if let context { return context }
            let made = try NIOSSLContext(configuration: .makeClientConfiguration())
            context = made
            return made
        }
    }
}

/// Writes one request when the connection is up and completes with the answer's status.
private final class CallbackExchange: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let head: HTTPRequestHead
    private let body: [UInt8]
    private let promise: EventLoopPromise<Int>
    private var status: Int?

    init(head: HTTPRequestHead, body: [UInt8], promise: EventLoopPromise<Int>) {
        self.head = head
        self.body = body
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendRequest(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context)
        context.fireChannelActive()
    }

    private var sent = false

    private func sendRequest(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            // 1xx answers are interim; wait for the final one.
            if response.status.code >= 200 { status = Int(response.status.code) }
        case .body: break
        case .end:
            if let status { promise.succeed(status) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(CallbackDispatcher.CallbackError(description: status == nil ? "the connection closed without an answer"
                                                                                 : "the connection closed in the middle of the answer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}

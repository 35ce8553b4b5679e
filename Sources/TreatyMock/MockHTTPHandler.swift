import NIOCore
import NIOHTTP1
import TreatyMatching

/// Answers the requests of one HTTP/1.1 connection on its event loop.
///
/// The responder is pure and fast, so requests are answered right on the event loop rather than
/// in Swift tasks: the mock keeps answering even when an embedding test blocks every thread of
/// Swift's cooperative pool (a consumer test calling a blocking HTTP client is common).
final class MockHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: MockResponder
    private let configuration: MockConfiguration
    private let log: @Sendable (String) -> Void
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var tooLarge = false

    init(responder: MockResponder, configuration: MockConfiguration, log: @escaping @Sendable (String) -> Void) {
        self.responder = responder
        self.configuration = configuration
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
            if tooLarge {
                write(context, status: 413, headers: [("Content-Type", "text/plain")],
                      body: Array("request body larger than \(configuration.maximumBodyBytes) bytes\n".utf8),
                      head: requestHead, keepAlive: false)
                return
            }
            let request = HTTPRequestData(
                method: requestHead.method.rawValue, target: requestHead.uri,
                headers: requestHead.headers.map { ($0.name, $0.value) },
                body: body.readableBytes > 0 ? Array(body.readableBytesView) : [])
            let answer = responder.respond(to: request, baseURL: baseURL(context))
            report(request, answer)
            if let wire = answer.wire {
                writePrepared(context, wire, head: requestHead, keepAlive: requestHead.isKeepAlive)
            } else {
                write(context, status: answer.status, headers: answer.headers, body: answer.body, head: requestHead,
                      keepAlive: requestHead.isKeepAlive)
            }
        }
    }

    private var cachedBaseURL: String?

    private func baseURL(_ context: ChannelHandlerContext) -> String {
        if let cachedBaseURL { return cachedBaseURL }
        var url = ""
        if let address = context.channel.localAddress, let port = address.port {
            let host = address.ipAddress ?? configuration.host
            url = "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        }
        cachedBaseURL = url
        return url
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that vanishes or sends garbage ends its own connection only.
        if configuration.verbose { log("connection closed: \(error)") }
        context.close(promise: nil)
    }

    private func report(_ request: HTTPRequestData, _ answer: MockResponder.Answer) {
        let target = request.path + (request.query.isEmpty ? "" : "?" + request.query)
        if let name = answer.interaction {
            if configuration.verbose { log("\(request.method) \(target) → \(answer.status) \"\(name)\"") }
            return
        }
        var line = "unmatched \(request.method) \(target) → \(answer.status)"
        if let first = answer.mismatches.first {
            line += "; nearest mismatch \(first.description)"
            if answer.mismatches.count > 1 { line += " (+\(answer.mismatches.count - 1) more)" }
        }
        log(line)
    }

    /// Writes an answer built once: no copy of the body, no header building unless the
    /// connection needs a `Connection` header.
    private func writePrepared(_ context: ChannelHandlerContext, _ wire: MockResponder.WireAnswer, head: HTTPRequestHead, keepAlive: Bool) {
        var headers = wire.headers
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if head.version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: wire.status, headers: headers))), promise: nil)
        if head.method != .HEAD && wire.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(wire.body))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
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
        if !keepAlive {
            responseHeaders.replaceOrAdd(name: "Connection", value: "close")
        } else if head.version.minor == 0 {
            responseHeaders.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status),
                                            headers: responseHeaders)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD && !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlushPromise()
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

extension ChannelHandlerContext {
    fileprivate func writeAndFlushPromise() -> EventLoopPromise<Void> { eventLoop.makePromise() }
}

#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel

/// Writing answers: prepared bytes below the encoder, response parts through it, CORS and keep-alive.
extension MockHTTPHandler {
    func encoderContext(_ context: ChannelHandlerContext) -> ChannelHandlerContext? {
        if let encoder { return encoder }
        let found = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
        encoder = .some(found)
        return found
    }

    /// CORS: a preflight from an origin `--cors` allows gets 204 with what it asked for, from
    /// another 403; other answers to a request with an Origin get the policy's headers.
    func preflight(_ head: HTTPRequestHead, method: String, _ context: ChannelHandlerContext) {
        guard let policy = configuration.corsPolicy else { return }
        if let origin = head.headers.first(name: "Origin"), !policy.allows(origin) {
            log("CORS preflight from \(origin) refused: not among the --cors origins")
            write(context, status: 403, headers: [(name: "Content-Type", value: "text/plain")] + policy.headers(origin: origin),
                  body: Array("origin \(origin) is not allowed by --cors\n".utf8), head: head, keepAlive: Self.keepsAlive(head))
            return
        }
        var headers: [(name: String, value: String)] = corsHeaders(head)
        headers.append(("Access-Control-Allow-Methods", method + ", GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD"))
        if let requested = head.headers.first(name: "Access-Control-Request-Headers") {
            headers.append(("Access-Control-Allow-Headers", requested))
        }
        headers.append(("Access-Control-Max-Age", "600"))
        write(context, status: 204, headers: headers, body: [], head: head, keepAlive: Self.keepsAlive(head))
    }

    func corsHeaders(_ head: HTTPRequestHead) -> [(name: String, value: String)] {
        configuration.corsPolicy?.headers(origin: head.headers.first(name: "Origin")) ?? []
    }

    /// Writes an answer built once: no copy of the body, no header building unless the
    /// connection needs a `Connection` header.
    func writePrepared(_ context: ChannelHandlerContext, _ wire: MockResponder.WireAnswer, head: HTTPRequestHead, keepAlive: Bool) {
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

    func write(
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

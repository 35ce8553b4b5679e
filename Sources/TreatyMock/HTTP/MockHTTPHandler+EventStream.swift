#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel

/// Event streams (SSE): the head, then each event after its gap.
extension MockHTTPHandler {
    /// Streams an SSE answer: the head, then each event after its gap; then the end of the
    /// response, or nothing (the stream stays open until the client goes). A client that sends
    /// `Last-Event-ID` resumes after that event.
    func startStream(_ answer: MockResponder.Answer, _ stream: MockResponder.EventStream, _ context: ChannelHandlerContext,
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

    func streamEvents(_ events: ArraySlice<MockResponder.EventStream.Event>, close: Bool, closesConnection: Bool,
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
}

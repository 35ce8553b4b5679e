import NIOCore
import NIOHTTP1
import TreatyMatching

/// Serves the requests of one HTTP/1.1 connection, in order, with keep-alive.
struct HTTPConnectionHandler: Sendable {
    let responder: MockResponder
    let configuration: MockConfiguration
    let log: @Sendable (String) -> Void

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    func handle(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                var tooLarge = false
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        head = h
                        body.clear()
                        tooLarge = false
                    case .body(var chunk):
                        if body.readableBytes + chunk.readableBytes > configuration.maximumBodyBytes {
                            tooLarge = true
                        } else {
                            body.writeBuffer(&chunk)
                        }
                    case .end:
                        guard let requestHead = head else { continue }
                        head = nil
                        let keepAlive = requestHead.isKeepAlive && !tooLarge
                        if tooLarge {
                            try await write(status: 413, headers: [("Content-Type", "text/plain")],
                                            body: Array("request body larger than \(configuration.maximumBodyBytes) bytes\n".utf8),
                                            head: requestHead, keepAlive: false, outbound: outbound)
                            return
                        }
                        let request = HTTPRequestData(
                            method: requestHead.method.rawValue, target: requestHead.uri,
                            headers: requestHead.headers.map { ($0.name, $0.value) },
                            body: body.readableBytes > 0 ? Array(body.readableBytesView) : [])
                        let answer = responder.respond(to: request)
                        report(request, answer)
                        try await write(status: answer.status, headers: answer.headers, body: answer.body,
                                        head: requestHead, keepAlive: keepAlive, outbound: outbound)
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            // A client that vanishes or sends garbage ends its own connection only.
            if configuration.verbose { log("connection closed: \(error)") }
        }
    }

    func report(_ request: HTTPRequestData, _ answer: MockResponder.Answer) {
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

    func write(
        status: Int, headers: [(name: String, value: String)], body: [UInt8], head: HTTPRequestHead, keepAlive: Bool,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var responseHeaders = HTTPHeaders(headers)
        responseHeaders.replaceOrAdd(name: "Content-Length", value: String(body.count))
        if !keepAlive { responseHeaders.replaceOrAdd(name: "Connection", value: "close") }
        else if head.version.minor == 0 { responseHeaders.replaceOrAdd(name: "Connection", value: "keep-alive") }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status),
                                            headers: responseHeaders)
        if head.method == .HEAD || body.isEmpty {
            try await outbound.write(contentsOf: [.head(responseHead), .end(nil)])
        } else {
            try await outbound.write(contentsOf: [.head(responseHead), .body(.byteBuffer(ByteBuffer(bytes: body))), .end(nil)])
        }
    }
}

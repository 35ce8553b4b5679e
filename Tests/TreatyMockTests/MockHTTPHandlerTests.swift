import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
import TreatyModel
@testable import TreatyMock

/// The HTTP/1.1 handler alone, in an EmbeddedChannel with the encoder the server puts in front of
/// it: requests go in as parts, answers come out as the bytes a client would read.
@Suite struct MockHTTPHandlerTests {
    static let contract = """
        {"treaty": 1, "consumer": "c", "provider": "p", "interactions": [
          {"name": "quick", "http": {"request": {"path": "/quick"}, "response": {"status": 200, "body": "quick"}}},
          {"name": "slow", "mock": {"delay": "1s"}, "http": {"request": {"path": "/slow"}, "response": {"status": 200, "body": "slow"}}},
          {"name": "empty", "mock": {"fault": "empty"}, "http": {"request": {"path": "/empty"}, "response": {"status": 200}}},
          {"name": "malformed", "mock": {"fault": "malformed"}, "http": {"request": {"path": "/malformed"}, "response": {"status": 200}}},
          {"name": "truncate", "mock": {"fault": "truncate"}, "http": {"request": {"path": "/truncate"},
            "response": {"status": 200, "body": "0123456789"}}},
          {"name": "feed", "websocket": {"request": {"path": "/feed"}, "conversation": [{"server": {"text": "hello"}}]}}]}
        """

    /// A channel set up as the server sets up HTTP/1.1 (without the request decoder: tests write parts).
    func channel(requestTimeout: Double = 10, lines: LockedLines = LockedLines()) throws -> EmbeddedChannel {
        let loaded = ContractLoader().load(Array(Self.contract.utf8), file: "c.json")
        let contract = try #require(loaded.contract, "\(loaded.diagnostics)")
        let box = ResponderBox(MockResponder(contract: contract))
        let configuration = MockConfiguration(requestTimeout: requestTimeout)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTPResponseEncoder(configuration: .init()))
        try channel.pipeline.syncOperations.addHandler(MockHTTPHandler(responder: box, configuration: configuration, log: lines.append))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return channel
    }

    func request(_ channel: EmbeddedChannel, _ path: String, headers: HTTPHeaders = [:]) throws {
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
    }

    /// Everything written so far, as bytes.
    func bytes(_ channel: EmbeddedChannel) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
        return bytes
    }

    /// Everything written so far, as text.
    func written(_ channel: EmbeddedChannel) throws -> String { String(decoding: try bytes(channel), as: UTF8.self) }

    @Test func aPreparedAnswerIsWrittenAsOneBuffer() throws {
        let channel = try channel()
        try request(channel, "/quick")
        let first = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: first).hasPrefix("HTTP/1.1 200 OK\r\n") && String(buffer: first).hasSuffix("\r\n\r\nquick"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        _ = try channel.finish()
    }

    @Test func pipelinedRequestsWaitBehindADelayedAnswerAndKeepTheirOrder() throws {
        let channel = try channel()
        try request(channel, "/slow")
        try request(channel, "/quick")
        #expect(try written(channel).isEmpty)  // the quick answer waits for the slow one
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        let text = try written(channel)
        let slow = try #require(text.range(of: "slow")), quick = try #require(text.range(of: "quick"))
        #expect(slow.lowerBound < quick.lowerBound)
        _ = try channel.finish()
    }

    @Test func theWaitingQueueIsCapped() throws {
        let lines = LockedLines()
        let channel = try channel(lines: lines)
        try request(channel, "/slow")
        for _ in 0..<MockHTTPHandler.maximumWaitingRequests { try request(channel, "/quick") }
        #expect(channel.isActive)
        try request(channel, "/quick")  // one too many
        #expect(!channel.isActive)
        #expect(lines.all.contains { $0.contains("pipelined behind an answer still going out; closing the connection") })
    }

    @Test func waitingLongerThanTheRequestTimeoutClosesTheConnection() throws {
        let lines = LockedLines()
        let channel = try channel(requestTimeout: 0.5, lines: lines)
        try request(channel, "/slow")
        try request(channel, "/quick")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(lines.all.contains { $0.contains("took longer than --request-timeout") })
    }

    @Test func faultsWriteTheirBytesAndEndTheConnection() throws {
        let empty = try channel()
        try request(empty, "/empty")
        #expect(try written(empty).isEmpty)
        #expect(!empty.isActive)

        let malformed = try channel()
        try request(malformed, "/malformed")
        #expect(try written(malformed).hasPrefix("HTTP/1.1 ??? NOT HTTP\r\n"))
        #expect(!malformed.isActive)

        let truncated = try channel()
        try request(truncated, "/truncate")
        let text = try written(truncated)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n") && text.hasSuffix("\r\n\r\n01234"))
        #expect(!truncated.isActive)
    }

    @Test func aPlainRequestForAWebSocketGets426() throws {
        let channel = try channel()
        try request(channel, "/feed")
        let text = try written(channel)
        #expect(text.hasPrefix("HTTP/1.1 426 Upgrade Required\r\n"))
        #expect(text.contains("Sec-WebSocket-Version: 13"))
    }

    @Test func anUpgradeGets101WithTheAcceptKeyAndTheConversationStarts() throws {
        let channel = try channel()
        // The key and accept value of RFC 6455 §1.3.
        try request(channel, "/feed", headers: ["Upgrade": "websocket", "Connection": "Upgrade",
                                                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"])
        let bytes = try bytes(channel)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        // The server's first step follows as a text frame: FIN + text opcode, length 5, "hello".
        #expect(bytes.suffix(7) == [0x81, 0x05] + Array("hello".utf8))
    }
}

/// The front of every connection: HTTP/2's preface, even cut into pieces, picks HTTP/2.
@Suite struct ProtocolDetectorTests {
    func detect(_ pieces: [String]) throws -> (http1: Bool, http2: Bool, passedOn: String) {
        let chosen = LockedLines()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ProtocolDetector(http1: { _ in chosen.append("1") }, http2: { _ in chosen.append("2") }))
        for piece in pieces { try channel.writeInbound(ByteBuffer(string: piece)) }
        var passed = ""
        while var buffer = try channel.readInbound(as: ByteBuffer.self) { passed += buffer.readString(length: buffer.readableBytes) ?? "" }
        return (chosen.all == ["1"], chosen.all == ["2"], passed)
    }

    @Test func thePrefaceSplitAcrossReadsIsHTTP2() throws {
        let preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
        for cut in [1, 3, 10, preface.count - 1] {
            let pieces = [String(preface.prefix(cut)), String(preface.dropFirst(cut)) + "frames"]
            let result = try detect(pieces)
            #expect(result.http2, "cut at \(cut)")
            #expect(result.passedOn == preface + "frames", "the bytes read so far go on whole")
        }
    }

    @Test func anythingElseIsHTTP1AsSoonAsItDiffers() throws {
        #expect(try detect(["GET / HTTP/1.1\r\n"]).http1)
        #expect(try detect(["PRI * HTTP/1.1"]).http1)
        let waiting = try detect(["PRI * HT"])
        #expect(!waiting.http1 && !waiting.http2 && waiting.passedOn.isEmpty)  // still could be either
    }
}

/// The route is decided from the request alone, before anything is written.
@Suite struct MockRouteTests {
    static let responder: MockResponder = {
        let text = """
            {"treaty": 1, "consumer": "c", "provider": "p", "interactions": [
              {"name": "get", "http": {"request": {"path": "/orders"}, "response": {"status": 200}}},
              {"name": "rpc", "jsonrpc": {"path": "/rpc", "method": "ping", "params": {}, "result": "pong"}},
              {"name": "ws rpc", "jsonrpc": {"transport": "websocket", "path": "/rpc/ws", "method": "ping", "params": {}, "result": "pong"}}]}
            """
        return MockResponder(contract: ContractLoader().load(Array(text.utf8), file: "c.json").contract!)
    }()

    func route(_ method: HTTPMethod, _ uri: String, _ headers: HTTPHeaders = [:], cors: Bool = false, hub: Bool = true) -> String {
        let route = MockRoute.of(HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers), responder: Self.responder,
                                 cors: cors, hub: hub)
        switch route {
        case .preflight(let asked): return "preflight \(asked)"
        case .subscribe: return "subscribe"
        case .produce: return "produce"
        case .jsonRPCSocket(let calls, let key): return "jsonrpc socket \(calls.count) \(key)"
        case .jsonRPC(let calls): return "jsonrpc \(calls.count)"
        case .interaction: return "interaction"
        }
    }

    @Test func eachOfTheMocksOwnEndpointsAndTheRest() {
        #expect(route(.OPTIONS, "/orders", ["Access-Control-Request-Method": "PUT"], cors: true) == "preflight PUT")
        #expect(route(.OPTIONS, "/orders", ["Access-Control-Request-Method": "PUT"], cors: false) == "interaction")
        #expect(route(.GET, "/_treaty/messages?since=1") == "subscribe")
        #expect(route(.GET, "/_treaty/messages", hub: false) == "interaction")
        #expect(route(.POST, "/_treaty/messages/produce") == "produce")
        #expect(route(.POST, "/rpc") == "jsonrpc 1")
        #expect(route(.GET, "/rpc/ws", ["Upgrade": "websocket", "Sec-WebSocket-Key": "k"]) == "jsonrpc socket 1 k")
        #expect(route(.GET, "/rpc/ws") == "interaction")  // no upgrade: matched like any request (and unmatched)
        #expect(route(.GET, "/orders") == "interaction")
    }
}

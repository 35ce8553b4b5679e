#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOWebSocket
import Foundation
import Testing
import TreatyModel
import TreatyMatching
@testable import TreatyMock

/// Handlers and pieces of the mock hardened in issue 13, tested in isolation.
@Suite struct HardeningTests {
    @Test(arguments: [
        ("1S", Int64(1_000_000_000)), ("250m", 250_000_000), ("7n", 7), ("99999999H", GRPCCall.maximumTimeoutNanoseconds),
        ("99999999M", GRPCCall.maximumTimeoutNanoseconds), ("2562047H", GRPCCall.maximumTimeoutNanoseconds),
    ])
    func grpcTimeoutsAreClampedNotOverflowed(text: String, nanoseconds: Int64) {
        #expect(GRPCCall.timeout(text) == nanoseconds)
    }

    @Test(arguments: ["", "S", "+5S", "-5S", "123456789S", "5X", "٣S", "5 S"])
    func malformedGrpcTimeoutsAreRefused(text: String) {
        #expect(GRPCCall.timeout(text) == nil)
    }

    @Test func theJournalKeepsExactlyTheLastN() {
        let journal = MockJournal(capacity: 10, interactionCounts: [1])
        for i in 0..<30 {
            journal.record(MockJournal.Entry(time: Double(i), contract: 0, method: "GET", path: "/\(i)", query: "", status: 200,
                                             interaction: "a", nearest: nil, mismatches: []), position: 0)
        }
        #expect(journal.entries().map(\.path) == (20..<30).map { "/\($0)" })
        #expect(journal.entries(limit: 3).map(\.path) == ["/27", "/28", "/29"])
        #expect(journal.recorded == 30)
        #expect(journal.calls() == [[30]])
    }

    // MARK: WebSocket messages

    func frame(_ opcode: WebSocketOpcode, _ text: String, fin: Bool = true, masked: Bool = true) -> WebSocketFrame {
        var frame = WebSocketFrame(fin: fin, opcode: opcode, data: ByteBuffer(string: text))
        if masked {
            frame = WebSocketFrame(fin: fin, opcode: opcode, maskKey: WebSocketMaskingKey([1, 2, 3, 4])!, data: ByteBuffer(string: text))
            frame.data.webSocketMask(WebSocketMaskingKey([1, 2, 3, 4])!)
        }
        return frame
    }

    @Test func fragmentsAreReassembledInOrder() {
        var reader = WebSocketMessageReader(maximumMessageBytes: 100)
        guard case .partial = reader.read(frame(.text, "hel", fin: false)) else { Issue.record("first fragment"); return }
        guard case .partial = reader.read(frame(.continuation, "lo ", fin: false)) else { Issue.record("second fragment"); return }
        guard case .text(let text) = reader.read(frame(.continuation, "world")) else { Issue.record("last fragment"); return }
        #expect(text == "hello world")
    }

    @Test func protocolViolationsAreNamedWithTheirCloseCodes() {
        func violation(_ frames: [WebSocketFrame], limit: Int = 100) -> WebSocketErrorCode? {
            var reader = WebSocketMessageReader(maximumMessageBytes: limit)
            for frame in frames {
                if case .violation(let code, _) = reader.read(frame) { return code }
            }
            return nil
        }
        #expect(violation([frame(.text, "x", masked: false)]) == .protocolError)
        #expect(violation([frame(.continuation, "x")]) == .protocolError)
        #expect(violation([frame(.text, "a", fin: false), frame(.text, "b")]) == .protocolError)
        #expect(violation([frame(.text, String(repeating: "a", count: 60), fin: false), frame(.continuation, String(repeating: "a", count: 60))])
                == .messageTooLarge)
        var bad = WebSocketFrame(fin: true, opcode: .text, maskKey: WebSocketMaskingKey([0, 0, 0, 0])!, data: ByteBuffer(bytes: [0xFF, 0xFE]))
        bad.data.webSocketMask(WebSocketMaskingKey([0, 0, 0, 0])!)
        #expect(violation([bad]) == .dataInconsistentWithMessage)
        #expect(violation([frame(.text, "fine")]) == nil)
    }

    // MARK: HTTP/2 streams

    @Test func aStreamWhoseRequestNeverEndsGets408() throws {
        let channel = EmbeddedChannel()
        let lines = LockedLines()
        try channel.pipeline.syncOperations.addHandler(StreamRequestTimeoutHandler(requestTimeout: .seconds(1), log: lines.append))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http2, method: .POST, uri: "/orders")))
        channel.pipeline.fireChannelReadComplete()  // the read burst ends with the request still coming
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(999))
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        guard case .head(let head) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no answer head")
            return
        }
        #expect(head.status == .requestTimeout)
        #expect(lines.all.contains { $0.contains("did not arrive whole") })
        #expect(!channel.isActive)
    }

    @Test func aStreamWhoseRequestEndsInTimeIsNotTimed() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(StreamRequestTimeoutHandler(requestTimeout: .seconds(1), log: { _ in }))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http2, method: .GET, uri: "/orders")))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))  // a long answer (an event stream) is not cut
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    // MARK: logging

    @Test func loggingNeverWaitsForAFullPipe() async throws {
        // Both ends stay open for the life of the test process: the writer's thread outlives the
        // test, and must never write to a closed (or reused) descriptor.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        // The test reads without blocking: a blocked test thread would hold up Swift's cooperative
        // pool (two threads on a two-core machine) and, with it, every other test.
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let writer = LogWriter(descriptor: fds[1], maximumLines: 100)
        let line = String(repeating: "x", count: 1000)
        // 2,000 lines of 1 KB: far more than the pipe holds (64 KiB), and nobody reads it.
        let started = ContinuousClock.now
        for _ in 0..<2_000 { writer.log(line) }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(writer.dropped > 0)
        // Once somebody reads, the writer catches up and says how many were dropped.
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = ContinuousClock.now + .seconds(10)
        while !text.contains("dropped"), ContinuousClock.now < deadline {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { text += String(decoding: buffer[0..<n], as: UTF8.self) } else { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(text.contains("log lines dropped"))
    }
}

/// Log lines gathered from any thread.
final class LockedLines: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NIOLock()
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }
}

/// Scenario steps under concurrent requests: choosing by state and moving the scenario on must be
/// one step, or two threads both take the same step.
@Suite struct ScenarioRaceTests {
    @Test func aCyclingScenarioAlternatesExactlyUnderConcurrentRequests() async throws {
        let text = """
            {"treaty": 1, "consumer": "c", "provider": "p", "interactions": [
              {"name": "tick", "scenario": {"name": "clock", "state": "Started", "next": "tocked"},
               "http": {"request": {"method": "POST", "path": "/clock"}, "response": {"status": 200, "body": "tick"}}},
              {"name": "tock", "scenario": {"name": "clock", "state": "tocked", "next": "Started"},
               "http": {"request": {"method": "POST", "path": "/clock"}, "response": {"status": 200, "body": "tock"}}}]}
            """
        let contract = try #require(ContractLoader().load(Array(text.utf8), file: "clock.json").contract)
        let responder = MockResponder(contract: contract)
        let counts = NIOLockedValueBox([String: Int]())
        let threads = 4, calls = 5_000
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread {
                var local: [String: Int] = [:]
                for _ in 0..<calls {
                    local[responder.respond(to: HTTPRequestData(method: "POST", target: "/clock")).interaction ?? "none", default: 0] += 1
                }
                counts.withLockedValue { $0.merge(local, uniquingKeysWith: +) }
                group.leave()
            }.start()
        }
        // Awaited, not waited for: a blocked test thread would hold up the cooperative pool.
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }
        let tick = counts.withLockedValue { $0["tick"] ?? 0 }, tock = counts.withLockedValue { $0["tock"] ?? 0 }
        #expect(tick + tock == threads * calls)
        // Each tick moves the clock to "tocked" and each tock back: they alternate, so the counts
        // differ by at most one whatever the interleaving.
        #expect(abs(tick - tock) <= 1, "tick \(tick), tock \(tock)")
    }
}

import NIOCore
import NIOEmbedded
import TreatyMock
import TreatyModel

/// The mock-requests target: bytes from a client through the mock's own connection pipeline
/// (`MockServer.configureHTTPConnection`: timeouts, protocol detection, HTTP/1.1 or HTTP/2 with
/// gRPC, MockHTTPHandler) serving Fixtures/fuzz/contract.json, in an EmbeddedChannel.
enum MockFuzzing {
    /// Verbose, so the logging of every request runs too; a small body limit, so it can be reached.
    static let configuration = MockConfiguration(maximumBodyBytes: 4096, verbose: true)
    static let peer = try! SocketAddress(ipAddress: "127.0.0.1", port: 50_000)

    /// Byte 0 picks the piece size the bytes arrive in; the rest is what the client sent. The clock
    /// then moves on two minutes, so delayed answers, streams and timeouts all run. Returns what the
    /// mock wrote back (the replay tests check the seeds get real answers).
    @discardableResult
    static func request(_ bytes: [UInt8]) -> [UInt8] {
        guard let first = bytes.first else { return [] }
        let contract = FuzzFixtures.contract
        // A fresh responder and journal per input: scenarios and counters start over, so an input
        // does the same thing every time it runs.
        let box = ResponderBox(MockResponder(contract: contract))
        let journal = MockJournal(capacity: 16, interactionCounts: [contract.interactions.count])
        let channel = EmbeddedChannel()
        do {
            try MockServer.configureHTTPConnection(channel, box: box, index: 0, journal: journal, configuration: configuration,
                                                   dispatcher: nil, hub: nil, log: { _ in })
        } catch {
            fatalError("the mock's connection pipeline does not set up: \(error)")
        }
        // Connected (active) as an accepted connection is; the peer's address shows in the mock's log.
        _ = channel.connect(to: peer)
        var written: [UInt8] = []
        let size = first == 0 ? bytes.count : Int(first)
        for piece in StreamFuzzing.pieces(bytes.dropFirst(), size) {
            guard channel.isActive else { break }
            do { try channel.writeInbound(ByteBuffer(bytes: piece)) } catch { break }
            drain(channel, into: &written)
        }
        channel.embeddedEventLoop.advanceTime(by: .seconds(120))
        drain(channel, into: &written)
        _ = try? channel.finish(acceptAlreadyClosed: true)
        return written
    }

    /// Takes what the mock wrote (at most 64 KiB is kept), so nothing piles up.
    static func drain(_ channel: EmbeddedChannel, into written: inout [UInt8]) {
        while let data = try? channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data, written.count < 64 << 10 { written += buffer.readableBytesView }
        }
        while let _ = try? channel.readInbound(as: ByteBuffer.self) {}
    }
}

import Foundation
import TreatyMatching
import TreatyModel

/// The sse and socket-frames targets: byte streams cut into events or messages in pieces of the
/// sizes a network gives, then judged against a contract's expectations.
enum StreamFuzzing {
    /// The first byte picks the piece size; the rest is the stream.
    static func sse(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let size = Int(first % 32) + 1
        var parser = SSEParser()
        var events: [SSEParser.Event] = []
        for (i, piece) in pieces(bytes.dropFirst(), size).enumerated() {
            events += parser.feed(piece, at: Double(i) / 10)
        }
        for interaction in FuzzFixtures.contract.interactions {
            guard case .sse(let sse) = interaction.kind else { continue }
            for mismatch in SSEMatcher.match(events, sse.events, ended: "the stream ended") { _ = mismatch.message }
        }
    }

    /// Every framing the loader accepts, with a limit small enough to be reached.
    static let framings: [SocketFraming] = [
        .line(delimiter: [0x0A]), .line(delimiter: [0x0D, 0x0A]), .line(delimiter: Array("--END--".utf8)),
        .length(bytes: 1, bigEndian: true), .length(bytes: 2, bigEndian: true), .length(bytes: 2, bigEndian: false),
        .length(bytes: 4, bigEndian: true), .length(bytes: 4, bigEndian: false), .fixed(1), .fixed(5), .idle(milliseconds: 50),
    ]
    static let limits = [16, 1024, 1 << 20]

    /// The payloads of Contracts/web-shop--cache.json (RESP over line framing) and a few bytes ones.
    static let payloads: [SocketPayload] = {
        let result = ContractLoader().load(FuzzFixtures.bytes("../../Contracts/web-shop--cache.json"), file: "web-shop--cache.json")
        let steps = result.contract?.interactions.flatMap { interaction -> [SocketStep] in
            if case .tcp(let tcp) = interaction.kind { return tcp.conversation }
            return []
        } ?? []
        precondition(!steps.isEmpty, "Contracts/web-shop--cache.json has no tcp steps")
        return steps.map(\.payload) + [
            .bytes([0x01, 0x00, 0x2A], prefix: false, mask: nil), .bytes([0xCA, 0xFE], prefix: true, mask: nil),
            .bytes([0x80, 0x00, 0x00, 0xFF], prefix: true, mask: [0xF0, 0x00, 0x00, 0xFF]),
        ]
    }()

    /// Byte 0 picks the framing, byte 1 the limit, the piece size and how many lines make a message.
    static func socketFrames(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return }
        let framing = framings[Int(bytes[0]) % framings.count]
        let limit = limits[Int(bytes[1] & 3) % limits.count]
        let size = Int(bytes[1] >> 2 & 15) + 1
        let units = Int(bytes[1] >> 6) + 1
        var reader = SocketFrameReader(framing: framing, limit: limit)
        func drain() {
            while let message = reader.peek(units) {
                for payload in payloads { _ = SocketMatching.match(payload, message, at: "$.conversation[0]") }
                reader.take(units)
            }
        }
        for piece in pieces(bytes.dropFirst(2), size) {
            do { try reader.append(piece) } catch {
                _ = error.description
                return
            }
            drain()
        }
        reader.quiet()
        drain()
        _ = SocketText.preview(reader.leftover)
    }

    static func pieces(_ bytes: ArraySlice<UInt8>, _ size: Int) -> [ArraySlice<UInt8>] {
        stride(from: bytes.startIndex, to: bytes.endIndex, by: size).map { bytes[$0..<min($0 + size, bytes.endIndex)] }
    }
}

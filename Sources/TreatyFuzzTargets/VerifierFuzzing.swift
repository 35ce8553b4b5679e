import Foundation
import TreatyMatching
import TreatyModel
import TreatyVerify

/// The websocket-frames and answers targets: what `treaty verify` does with the bytes a provider
/// sends back, after libcurl has read them (the transport itself is curl's).
enum VerifierFuzzing {
    /// Byte 0: the piece size the bytes arrive in and a small or the usual message limit; the rest is
    /// what the server sent after the upgrade. Frames go through the client's decoder and
    /// reassembly, the messages through the WebSocket matcher against every server step.
    static func websocketFrames(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        var decoder = WebSocketFrameDecoder(maximumMessageBytes: first & 0x80 == 0 ? 16 << 20 : 64)
        var buffer: [UInt8] = []
        var received: [WebSocketMatcher.Frame] = []
        reading: for piece in StreamFuzzing.pieces(bytes.dropFirst(), Int(first & 0x3F) + 1) {
            buffer += piece
            do {
                while let (frame, size) = try decoder.frame(in: buffer[...]) {
                    buffer.removeSubrange(..<size)
                    switch frame.opcode {
                    case 0x9: received.append(.ping(frame.payload))
                    case 0xA: received.append(.pong(frame.payload))
                    case 0x8:
                        received.append(WebSocketFrameDecoder.close(frame.payload))
                        break reading
                    case 0x0, 0x1, 0x2:
                        if let message = try decoder.message(from: frame) { received.append(message) }
                    default:
                        break reading  // an unknown opcode: the client fails the conversation
                    }
                }
            } catch {
                _ = error.message
                break reading
            }
        }
        for interaction in FuzzFixtures.contract.interactions {
            guard case .websocket(let websocket) = interaction.kind else { continue }
            for (i, step) in websocket.steps.enumerated() where step.side == .server {
                for frame in received {
                    _ = frame.summary
                    _ = WebSocketMatcher.match(frame, step.message, at: "$.conversation[\(i)]")
                }
            }
        }
    }

    /// Byte 0 picks the interaction; the rest is the answer as text: a status line, header lines
    /// (`name: value`; a name starting with `~` is a trailer), a blank line, the body.
    /// Returns the mismatches and errors found (the replay tests check the seeds are judged).
    @discardableResult
    static func answer(_ bytes: [UInt8]) -> [String] {
        guard let first = bytes.first else { return [] }
        var found: [String] = []
        let response = parseAnswer(bytes.dropFirst())
        let interactions = FuzzFixtures.contract.interactions.filter { [.http, .grpc].contains($0.kind.name) }
        let interaction = interactions[Int(first) % interactions.count]
        switch interaction.kind {
        case .http(let http):
            for expected in http.sequence?.responses ?? [http.response] {
                let mismatches = ResponseMatcher.match(response, expected)
                found += mismatches.map { "\($0.path): \($0.message)" }
                if mismatches.contains(where: { $0.path.hasPrefix("$.body") }) {
                    _ = Verifier.bodyDiff(expected: expected.body, actual: response.body)
                }
            }
        case .grpc(let call):
            let judgement = GRPCExchange.judge(response, call, transcoder: FuzzFixtures.transcoder)
            found += judgement.mismatches.map { "\($0.path): \($0.message)" } + [judgement.error?.message].compactMap { $0 }
        case .sse, .longPoll, .websocket, .jsonrpc, .tcp, .udp, .message, .synchronousMessage:
            break  // not among the fuzzed answers
        }
        return found
    }

    static func parseAnswer(_ bytes: ArraySlice<UInt8>) -> HTTPResponseData {
        let blank = bytes.firstRange(of: [0x0A, 0x0A])
        let head = String(decoding: bytes[..<(blank?.lowerBound ?? bytes.endIndex)], as: UTF8.self)
        let body = Array(bytes[(blank?.upperBound ?? bytes.endIndex)...])
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
        var response = HTTPResponseData(status: lines.next().flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 200, body: body)
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("~") {
                response.trailers.append((String(name.dropFirst()), value))
            } else {
                response.headers.append((name, value))
            }
        }
        return response
    }
}

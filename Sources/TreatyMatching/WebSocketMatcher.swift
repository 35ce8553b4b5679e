import TreatyModel

/// Judges one WebSocket frame (or reassembled message) against a conversation step's message.
public enum WebSocketMatcher {
    /// A received frame, after unmasking and reassembly of fragments.
    public enum Frame: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        case ping([UInt8])
        case pong([UInt8])
        case close(code: Int?, reason: String)

        public var kindName: String {
            switch self {
            case .text: "text"
            case .binary: "binary"
            case .ping: "ping"
            case .pong: "pong"
            case .close: "close"
            }
        }

        /// For logs: the payload in short.
        public var summary: String {
            switch self {
            case .text(let s): "text " + String(s.prefix(200))
            case .binary(let b): "binary (\(b.count) bytes)"
            case .ping(let b), .pong(let b): "\(kindName) " + String(decoding: b.prefix(125), as: UTF8.self)
            case .close(let code, let reason): "close " + (code.map(String.init) ?? "(no code)") + (reason.isEmpty ? "" : " \(reason)")
            }
        }
    }

    public static func match(_ frame: Frame, _ expected: WebSocketStep.Message, at path: String) -> [Mismatch] {
        func wrongKind(_ want: String) -> [Mismatch] {
            [Mismatch(path: path, expected: "a \(want) message", actual: frame.summary, rule: "type",
                      message: "expected a \(want) message, got \(frame.summary)")]
        }
        switch expected {
        case .text(let pattern):
            guard case .text(let text) = frame else { return wrongKind("text") }
            return StringMatching.match(pattern, text, path: path, what: "text message")
        case .json(let pattern):
            guard case .text(let text) = frame else { return wrongKind("text (JSON)") }
            guard let node = try? JSONParser.parse(Array(text.utf8)).root else {
                return [Mismatch(path: path, expected: "JSON", actual: String(text.prefix(200)), rule: "type",
                                 message: "expected a JSON message, got text that is not JSON")]
            }
            return ValueMatcher(allowUnexpectedKeys: true).match(pattern, node, at: path)
        case .binary(let bytes):
            guard case .binary(let actual) = frame else { return wrongKind("binary") }
            guard actual == bytes else {
                return [Mismatch(path: path, expected: "\(bytes.count) bytes", actual: "\(actual.count) bytes (different)", rule: "equality",
                                 message: "expected binary message of \(bytes.count) bytes, got \(actual.count) different bytes")]
            }
            return []
        case .ping(let bytes):
            guard case .ping(let actual) = frame else { return wrongKind("ping") }
            return actual == bytes ? [] : [Mismatch(path: path, expected: String(decoding: bytes, as: UTF8.self),
                                                    actual: String(decoding: actual, as: UTF8.self), rule: "equality",
                                                    message: "expected ping payload \"\(String(decoding: bytes, as: UTF8.self))\"")]
        case .close(let code, _):
            guard case .close(let actual, _) = frame else { return wrongKind("close") }
            return actual == code ? [] : [Mismatch(path: path, expected: "close \(code)", actual: actual.map { "close \($0)" } ?? "close without a code",
                                                   rule: "equality", message: "expected close code \(code), got " + (actual.map(String.init) ?? "none"))]
        }
    }
}

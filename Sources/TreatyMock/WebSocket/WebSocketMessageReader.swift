import NIOCore
import NIOWebSocket

/// Turns the frames a client sends into whole messages, checking what RFC 6455 asks a server to
/// check: every client frame is masked (§5.1), a continuation follows a first frame and a new
/// message does not start inside another (§5.4), a message stays under the size limit, and text is
/// UTF-8 (§8.1). Every WebSocket the mock serves (conversations, message subscribers, JSON-RPC)
/// reads through it, so they agree on what a malformed client gets.
struct WebSocketMessageReader {
    enum Event {
        case text(String)
        case binary([UInt8])
        case ping([UInt8])
        case pong
        /// The close code (nil when the frame has none) and the whole close payload.
        case close(code: Int?, payload: [UInt8])
        /// A frame of a message that is not complete yet.
        case partial
        /// The client broke the protocol: close the connection with this code and reason.
        case violation(WebSocketErrorCode, String)
    }

    let maximumMessageBytes: Int
    /// The message being reassembled: its opcode and the bytes so far (appended in place).
    private var fragments: (opcode: WebSocketOpcode, data: ByteBuffer)?

    init(maximumMessageBytes: Int) {
        self.maximumMessageBytes = maximumMessageBytes
    }

    mutating func read(_ frame: WebSocketFrame) -> Event {
        guard frame.maskKey != nil else { return .violation(.protocolError, "the client sent an unmasked frame (RFC 6455 §5.1)") }
        var payload = frame.unmaskedData
        switch frame.opcode {
        case .ping:
            return .ping(payload.readBytes(length: payload.readableBytes) ?? [])
        case .pong:
            return .pong
        case .connectionClose:
            let bytes = payload.readBytes(length: payload.readableBytes) ?? []
            return .close(code: bytes.count >= 2 ? Int(bytes[0]) << 8 | Int(bytes[1]) : nil, payload: bytes)
        case .text, .binary, .continuation:
            if frame.opcode == .continuation {
                guard fragments != nil else { return .violation(.protocolError, "a continuation frame without a first frame") }
            } else {
                guard fragments == nil else {
                    return .violation(.protocolError, "a new message started before the fragmented one ended (RFC 6455 §5.4)")
                }
                fragments = (frame.opcode, ByteBuffer())
            }
            guard fragments!.data.readableBytes + payload.readableBytes <= maximumMessageBytes else {
                fragments = nil
                return .violation(.messageTooLarge, "a message larger than \(maximumMessageBytes) bytes")
            }
            fragments!.data.writeBuffer(&payload)
            guard frame.fin, let (opcode, data) = fragments else { return .partial }
            fragments = nil
            let bytes = Array(data.readableBytesView)
            guard opcode == .text else { return .binary(bytes) }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return .violation(.dataInconsistentWithMessage, "a text message that is not UTF-8")
            }
            return .text(text)
        default:
            return .violation(.protocolError, "an unknown opcode")
        }
    }
}

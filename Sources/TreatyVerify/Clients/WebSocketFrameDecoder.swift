import TreatyMatching

/// Reads the RFC 6455 frames a server sent, from the bytes received so far, and puts fragmented
/// messages back together. Pure (no I/O): the verifier's WebSocket client feeds it what it reads,
/// and the websocket-frames fuzz target feeds it arbitrary bytes.
package struct WebSocketFrameDecoder {
    package struct Frame: Equatable {
        package var fin: Bool
        package var opcode: UInt8
        package var payload: [UInt8]
    }

    /// A frame or message the client refuses: the transport error kind and what to say.
    package struct Failure: Error, Equatable {
        package var kind: TransportError.Kind
        package var message: String
    }

    package let maximumMessageBytes: Int
    /// The first frame's opcode and the data so far of a message that came in fragments.
    private var fragments: (opcode: UInt8, data: [UInt8])?

    package init(maximumMessageBytes: Int) {
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// The whole frame at the start of `buffer` and how many bytes it takes; nil when more bytes
    /// are needed. Problems are reported as soon as the bytes that show them have come.
    package func frame(in buffer: ArraySlice<UInt8>) throws(Failure) -> (frame: Frame, size: Int)? {
        guard buffer.count >= 2 else { return nil }
        let first = buffer[buffer.startIndex], second = buffer[buffer.startIndex + 1]
        if first & 0x70 != 0 {
            throw Failure(kind: .protocolError, message: "a frame with reserved bits set and no extension agreed")
        }
        if second & 0x80 != 0 {
            throw Failure(kind: .protocolError, message: "the server sent a masked frame (RFC 6455 §5.1)")
        }
        var length = Int(second & 0x7F)
        var offset = 2
        if length == 126 {
            guard buffer.count >= 4 else { return nil }
            length = buffer.dropFirst(2).prefix(2).reduce(0) { $0 << 8 | Int($1) }
            offset = 4
        } else if length == 127 {
            guard buffer.count >= 10 else { return nil }
            // Sixty-four bits: a length with the top bit set reads as negative and is refused below.
            length = buffer.dropFirst(2).prefix(8).reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard length >= 0, length <= maximumMessageBytes else {
            throw Failure(kind: .responseTooLarge, message: "a frame of \(length) bytes")
        }
        let opcode = first & 0x0F
        if opcode >= 0x8 && (length > 125 || first & 0x80 == 0) {
            throw Failure(kind: .protocolError, message: "a control frame that is fragmented or over 125 bytes")
        }
        guard buffer.count >= offset + length else { return nil }
        let start = buffer.startIndex + offset
        return (Frame(fin: first & 0x80 != 0, opcode: opcode, payload: Array(buffer[start..<(start + length)])), offset + length)
    }

    /// Adds a text, binary or continuation frame; the message once its last fragment came.
    package mutating func message(from frame: Frame) throws(Failure) -> WebSocketMatcher.Frame? {
        if frame.opcode != 0x0 { fragments = (frame.opcode, []) }
        guard var partial = fragments else {
            throw Failure(kind: .protocolError, message: "a continuation frame without a first frame")
        }
        partial.data += frame.payload
        guard partial.data.count <= maximumMessageBytes else {
            throw Failure(kind: .responseTooLarge, message: "a message over \(maximumMessageBytes) bytes")
        }
        fragments = partial
        guard frame.fin else { return nil }
        fragments = nil
        guard partial.opcode == 0x1 else { return .binary(partial.data) }
        guard let text = String(validating: partial.data, as: UTF8.self) else {
            throw Failure(kind: .protocolError, message: "a text message that is not UTF-8")
        }
        return .text(text)
    }

    /// A close frame's code (when it has one) and reason.
    package static func close(_ payload: [UInt8]) -> WebSocketMatcher.Frame {
        let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
        return .close(code: code, reason: String(decoding: payload.dropFirst(2), as: UTF8.self))
    }
}

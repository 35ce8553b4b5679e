/// A WebSocket conversation: the upgrade request and the messages each side sends, in order.
public struct WebSocketInteraction: Sendable {
    /// The upgrade request (GET; its path, query and headers are matched like an HTTP request's).
    public var request: HTTPRequestSpec
    /// The subprotocol the server picks from those the client offers (`Sec-WebSocket-Protocol`).
    public var subprotocol: String?
    public var steps: [WebSocketStep]

    public init(request: HTTPRequestSpec, subprotocol: String? = nil, steps: [WebSocketStep]) {
        self.request = request
        self.subprotocol = subprotocol
        self.steps = steps
    }
}

/// One step of a conversation: a message or control frame from the client or from the server.
public struct WebSocketStep: Sendable {
    public enum Side: String, Sendable {
        case client, server
    }

    public enum Message: Sendable {
        /// A text frame: a string pattern.
        case text(Pattern)
        /// A text frame holding JSON, with matchers.
        case json(Pattern)
        /// A binary frame: exact bytes.
        case binary([UInt8])
        /// A ping with its payload; the other side must answer pong.
        case ping([UInt8])
        /// A close frame with its code and reason.
        case close(code: Int, reason: String)

        /// The frame's bytes as the sender sends them (examples for patterns).
        public var exampleBytes: [UInt8] {
            switch self {
            case .text(let p): Array((p.example.stringValue ?? p.example.rendered()).utf8)
            case .json(let p): p.example.renderedBytes()
            case .binary(let bytes), .ping(let bytes): bytes
            case .close(let code, let reason): [UInt8(code >> 8 & 0xFF), UInt8(code & 0xFF)] + Array(reason.utf8)
            }
        }

        public var kindName: String {
            switch self {
            case .text: "text"
            case .json: "json"
            case .binary: "binary"
            case .ping: "ping"
            case .close: "close"
            }
        }
    }

    /// Who sends it.
    public var side: Side
    public var message: Message
    /// For the side that sends: how long to wait first.
    public var afterMilliseconds: Int
    /// For the side that receives: at most this long after the previous step (the verifier's and
    /// the mock's bound); nil for the exchange timeout.
    public var withinMilliseconds: Int?
    public var position: SourcePosition
    public var pointer: JSONPointer

    public init(side: Side, message: Message, afterMilliseconds: Int = 0, withinMilliseconds: Int? = nil,
                position: SourcePosition = .start, pointer: JSONPointer = .root) {
        self.side = side
        self.message = message
        self.afterMilliseconds = afterMilliseconds
        self.withinMilliseconds = withinMilliseconds
        self.position = position
        self.pointer = pointer
    }
}

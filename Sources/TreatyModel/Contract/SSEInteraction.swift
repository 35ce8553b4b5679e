/// A Server-Sent Events stream: the request that opens it, the answer's status and headers, and
/// the events the provider sends, in order, with the gap before each.
public struct SSEInteraction: Sendable {
    public var request: HTTPRequestSpec
    /// Status and headers of the answer. Without a Content-Type here, the mock sends
    /// `text/event-stream` and the verifier expects one starting so.
    public var response: HTTPResponseSpec
    public var events: [SSEEvent]
    /// After the last event: end the stream (true) or keep it open until the client goes (false).
    public var close: Bool

    public init(request: HTTPRequestSpec, response: HTTPResponseSpec, events: [SSEEvent], close: Bool = true) {
        self.request = request
        self.response = response
        self.events = events
        self.close = close
    }
}

/// One event of a stream.
public struct SSEEvent: Sendable {
    /// The event type (`event:` field); nil for the default, `message`.
    public var event: String?
    /// The `id:` field.
    public var id: String?
    public var data: Data
    /// The `retry:` field, in milliseconds.
    public var retry: Int?
    /// Milliseconds the mock waits before sending it (after the previous event, or the answer's head).
    public var afterMilliseconds: Int
    /// For the verifier: at most this long after the previous event (or the head); nil for no bound
    /// but the exchange timeout.
    public var withinMilliseconds: Int?
    public var position: SourcePosition
    public var pointer: JSONPointer

    /// `data:` as text (a string pattern; several lines allowed) or as JSON with matchers.
    public enum Data: Sendable {
        case text(Pattern)
        case json(Pattern)

        public var pattern: Pattern {
            switch self {
            case .text(let p), .json(let p): p
            }
        }

        /// The text the mock sends as `data:` (JSON on one line).
        public var exampleText: String {
            switch self {
            case .text(let p): p.example.stringValue ?? p.example.rendered()
            case .json(let p): p.example.rendered()
            }
        }
    }

    public init(event: String? = nil, id: String? = nil, data: Data, retry: Int? = nil, afterMilliseconds: Int = 0,
                withinMilliseconds: Int? = nil, position: SourcePosition = .start, pointer: JSONPointer = .root) {
        self.event = event
        self.id = id
        self.data = data
        self.retry = retry
        self.afterMilliseconds = afterMilliseconds
        self.withinMilliseconds = withinMilliseconds
        self.position = position
        self.pointer = pointer
    }

    /// The event in the wire format of the HTML standard: fields, `data:` per line, a blank line.
    public func wireText(data text: String) -> String {
        var out = ""
        if let event { out += "event: \(event)\n" }
        if let id { out += "id: \(id)\n" }
        if let retry { out += "retry: \(retry)\n" }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { out += "data: \(line)\n" }
        return out + "\n"
    }
}

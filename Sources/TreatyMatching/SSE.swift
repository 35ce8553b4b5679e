import TreatyModel

/// Parses a `text/event-stream` as the HTML standard says (§9.2.6): lines end with CRLF, LF or CR;
/// `field: value` (one leading space dropped), `:` comments, `data` lines joined with LF, a blank
/// line dispatches the event (none when there is no data), a leading BOM is skipped, `retry` only
/// with ASCII digits, `id` without NUL. Fed incrementally, in chunks cut anywhere.
public struct SSEParser: Sendable {
    public struct Event: Sendable, Equatable {
        /// `message` unless an `event` field said otherwise.
        public var type: String
        public var data: String
        /// The last event ID when it was dispatched.
        public var id: String?
        /// A `retry` field in the event's own block.
        public var retry: Int?
        /// Seconds from the start of the stream to its dispatch.
        public var time: Double

        public init(type: String, data: String, id: String?, retry: Int?, time: Double) {
            self.type = type
            self.data = data
            self.id = id
            self.retry = retry
            self.time = time
        }
    }

    private var pending: [UInt8] = []
    private var started = false
    private var lastWasCR = false
    private var type = ""
    private var data = ""
    private var hasData = false
    private var retry: Int?
    private var lastEventID: String?

    public init() {}

    /// Parses `bytes`, arrived `time` seconds into the stream; returns the events they completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>, at time: Double) -> [Event] {
        var out: [Event] = []
        for byte in bytes {
            if byte == 0x0A, lastWasCR {  // the LF of a CRLF
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = line(pending, at: time) { out.append(event) }
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
            }
        }
        return out
    }

    private mutating func line(_ raw: [UInt8], at time: Double) -> Event? {
        var bytes = raw[...]
        if !started {
            started = true
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        if bytes.isEmpty { return dispatch(at: time) }
        if bytes.first == UInt8(ascii: ":") { return nil }  // a comment
        let field: String, value: String
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: bytes[..<colon], as: UTF8.self)
            var rest = bytes[bytes.index(after: colon)...]
            if rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
            value = String(decoding: rest, as: UTF8.self)
        } else {
            field = String(decoding: bytes, as: UTF8.self)
            value = ""
        }
        switch field {
        case "event": type = value
        case "data":
            data += value + "\n"
            hasData = true
        case "id": if !value.contains("\0") { lastEventID = value }
        case "retry": if !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) { retry = Int(value) }
        default: break
        }
        return nil
    }

    private mutating func dispatch(at time: Double) -> Event? {
        defer {
            type = ""
            data = ""
            hasData = false
            retry = nil
        }
        guard hasData else { return nil }
        if data.hasSuffix("\n") { data.removeLast() }
        return Event(type: type.isEmpty ? "message" : type, data: data, id: lastEventID, retry: retry, time: time)
    }
}

/// Judges the events of a stream against a contract's: in order, type, id, retry and data (text or
/// JSON with matchers), and the time bound of each (`within` the previous event, or the head).
public enum SSEMatcher {
    /// - Parameters:
    ///   - received: the events, in arrival order.
    ///   - ended: why no more events came, for the message of a missing one ("the stream ended").
    public static func match(_ received: [SSEParser.Event], _ expected: [SSEEvent], ended: String) -> [Mismatch] {
        var out: [Mismatch] = []
        var previous = 0.0
        for (i, spec) in expected.enumerated() {
            let path = "$.events[\(i)]"
            guard i < received.count else {
                out.append(Mismatch(path: path, expected: describe(spec), actual: "nothing", rule: "event",
                                    message: "expected event \(i + 1) of \(expected.count) (\(describe(spec))); \(ended) after \(received.count)"))
                break
            }
            let event = received[i]
            let type = spec.event ?? "message"
            if event.type != type {
                out.append(Mismatch(path: path + ".event", expected: type, actual: event.type, rule: "equality",
                                    message: "expected event type \"\(type)\", got \"\(event.type)\""))
            }
            if let id = spec.id, event.id != id {
                out.append(Mismatch(path: path + ".id", expected: id, actual: event.id ?? "none", rule: "equality",
                                    message: "expected id \"\(id)\", got " + (event.id.map { "\"\($0)\"" } ?? "none")))
            }
            if let retry = spec.retry, event.retry != retry {
                out.append(Mismatch(path: path + ".retry", expected: String(retry), actual: event.retry.map(String.init) ?? "none",
                                    rule: "equality", message: "expected retry \(retry), got " + (event.retry.map(String.init) ?? "none")))
            }
            switch spec.data {
            case .text(let pattern):
                out += StringMatching.match(pattern, event.data, path: path + ".data", what: "data")
            case .json(let pattern):
                if let node = try? JSONParser.parse(Array(event.data.utf8)).root {
                    out += ValueMatcher(allowUnexpectedKeys: true).match(pattern, node, at: path + ".data")
                } else {
                    out.append(Mismatch(path: path + ".data", expected: "JSON", actual: String(event.data.prefix(200)), rule: "type",
                                        message: "expected JSON data, got text that is not JSON"))
                }
            }
            if let within = spec.withinMilliseconds {
                let gap = event.time - previous
                if gap * 1000 > Double(within) {
                    out.append(Mismatch(path: path, expected: "within \(within) ms", actual: "after \(Int(gap * 1000)) ms", rule: "timing",
                                        message: "event \(i + 1) came \(Int(gap * 1000)) ms after the " + (i == 0 ? "stream opened" : "previous one")
                                            + ", expected within \(within) ms"))
                }
            }
            previous = event.time
        }
        return out
    }

    static func describe(_ spec: SSEEvent) -> String {
        var parts: [String] = []
        if let event = spec.event { parts.append("event \"\(event)\"") }
        if let id = spec.id { parts.append("id \"\(id)\"") }
        parts.append("data " + String(spec.data.exampleText.prefix(80)))
        return parts.joined(separator: ", ")
    }
}

/// Bytes a raw TCP or UDP exchange carries, and how they are compared.
public enum SocketPayload: Sendable {
    /// UTF-8 text, a string pattern (`"+PONG"`, `{"$regex": "^\\+OK"}`).
    case text(Pattern)
    /// Bytes: all of them (`prefix` false) or the first ones; where `mask` has a 0 bit, any bit goes.
    case bytes([UInt8], prefix: Bool, mask: [UInt8]?)

    /// What the sending side sends: the text example's UTF-8 or the bytes.
    public var exampleBytes: [UInt8] {
        switch self {
        case .text(let pattern): Array((pattern.example.stringValue ?? pattern.example.rendered()).utf8)
        case .bytes(let bytes, _, _): bytes
        }
    }
}

/// How a TCP byte stream is cut into messages.
public enum SocketFraming: Sendable, Equatable {
    /// Messages end with `delimiter` (`\n`, `\r\n`, …); a step whose text holds the delimiter spans
    /// that many lines plus one (RESP's `*1\r\n$4\r\nPING`).
    case line(delimiter: [UInt8])
    /// A 1, 2 or 4-byte length, big- or little-endian, then that many bytes.
    case length(bytes: Int, bigEndian: Bool)
    /// Messages of exactly this many bytes.
    case fixed(Int)
    /// Whatever came until the connection was quiet for this long.
    case idle(milliseconds: Int)

    /// The bytes a sender writes for one message.
    public func frame(_ payload: [UInt8]) -> [UInt8] {
        switch self {
        case .line(let delimiter): return payload + delimiter
        case .length(let bytes, let bigEndian):
            var prefix: [UInt8] = []
            for i in 0..<bytes { prefix.append(UInt8(truncatingIfNeeded: payload.count >> (8 * i))) }
            return (bigEndian ? prefix.reversed() : prefix) + payload
        case .fixed, .idle: return payload
        }
    }

    /// The lines of a line-framed example (the example whole for other framings).
    public func lines(of example: [UInt8]) -> [[UInt8]] {
        guard case .line(let delimiter) = self, !delimiter.isEmpty else { return [example] }
        var lines: [[UInt8]] = [], start = 0, i = 0
        while i + delimiter.count <= example.count {
            if example[i..<(i + delimiter.count)].elementsEqual(delimiter) {
                lines.append(Array(example[start..<i]))
                i += delimiter.count
                start = i
            } else {
                i += 1
            }
        }
        return lines + [Array(example[start...])]
    }

    /// How many framed units a step's example spans: lines for line framing, else one.
    public func units(of example: [UInt8]) -> Int {
        guard case .line(let delimiter) = self, !delimiter.isEmpty, example.count >= delimiter.count else { return 1 }
        var count = 1, i = 0
        while i + delimiter.count <= example.count {
            if Array(example[i..<(i + delimiter.count)]) == delimiter {
                count += 1
                i += delimiter.count
            } else {
                i += 1
            }
        }
        return count
    }

    public var summary: String {
        switch self {
        case .line(let delimiter): "lines ending with \(SocketText.escaped(delimiter))"
        case .length(let bytes, let bigEndian): "\(bytes)-byte \(bigEndian ? "big" : "little")-endian length prefix"
        case .fixed(let n): "fixed \(n)-byte messages"
        case .idle(let ms): "messages ending after \(ms) ms of quiet"
        }
    }
}

/// One message of a raw conversation: who sends it, what, and when.
public struct SocketStep: Sendable {
    public enum Side: String, Sendable {
        case client, server
    }

    public var side: Side
    public var payload: SocketPayload
    /// The sending side waits this long first.
    public var afterMilliseconds: Int
    /// The receiving side fails when it comes later than this after the previous step.
    public var withinMilliseconds: Int?
    /// Line framing: the message is the lines up to and including the first one that matches this
    /// string pattern (`"until": {"$regex": "^\\d{3} "}` ends an SMTP reply of any number of lines);
    /// nil: as many lines as the example has.
    public var until: Pattern?
    public var pointer: JSONPointer
    /// Where the step is written, for diagnostics about it.
    public var position: SourcePosition?

    public init(side: Side, payload: SocketPayload, afterMilliseconds: Int = 0, withinMilliseconds: Int? = nil, until: Pattern? = nil,
                pointer: JSONPointer = .root, position: SourcePosition? = nil) {
        self.side = side
        self.payload = payload
        self.afterMilliseconds = afterMilliseconds
        self.withinMilliseconds = withinMilliseconds
        self.until = until
        self.pointer = pointer
        self.position = position
    }
}

/// A raw TCP conversation on the contract's port: the framing, and the messages each side sends.
public struct TCPInteraction: Sendable {
    public var framing: SocketFraming
    public var conversation: [SocketStep]
    /// The largest message either side accepts.
    public var maximumMessageBytes: Int

    public init(framing: SocketFraming, conversation: [SocketStep], maximumMessageBytes: Int = 1 << 20) {
        self.framing = framing
        self.conversation = conversation
        self.maximumMessageBytes = maximumMessageBytes
    }
}

/// A UDP exchange: one request datagram and the datagrams that answer it.
public struct UDPInteraction: Sendable {
    public var request: SocketPayload
    public var responses: [SocketPayload]
    /// The verifier waits this long for the answer before sending again.
    public var timeoutMilliseconds: Int
    /// How many times the verifier sends again when nothing came.
    public var retries: Int
    /// Byte ranges every response repeats from the request (`echo`: a DNS transaction id, a
    /// question section), by offset, not overlapping: the mock copies them, the verifier checks them.
    public var echo: [EchoRange]

    public init(request: SocketPayload, responses: [SocketPayload], timeoutMilliseconds: Int = 1000, retries: Int = 2, echo: [EchoRange] = []) {
        self.request = request
        self.responses = responses
        self.timeoutMilliseconds = timeoutMilliseconds
        self.retries = retries
        self.echo = echo
    }
}

/// Bytes of a UDP response that repeat the request's, at the same offset: `"echo": 2` (the first
/// two), `{"from": 12, "length": 18}`, `{"from": 12, "to": "end"}` (to the end of the request).
public struct EchoRange: Sendable, Equatable {
    /// Where the bytes start, in the request and in the response.
    public var offset: Int
    /// How many bytes the contract's request example has there (and its responses hold in their place).
    public var length: Int
    /// The range runs to the end of the request, however long the one received is; the response
    /// then grows or shrinks by the difference.
    public var toEnd: Bool

    public init(offset: Int, length: Int, toEnd: Bool = false) {
        self.offset = offset
        self.length = length
        self.toEnd = toEnd
    }

    /// The bytes of `request` this range takes (clamped to the request).
    public func slice(of request: [UInt8]) -> Range<Int> {
        let start = min(offset, request.count)
        return start..<(toEnd ? request.count : min(offset + length, request.count))
    }

    /// "2 bytes", "18 bytes from offset 12", "the bytes from offset 12 to the end (18 in the example)".
    public var summary: String {
        if toEnd { return "the bytes from offset \(offset) to the end (\(length) in the example)" }
        return offset == 0 ? "\(length) bytes" : "\(length) bytes from offset \(offset)"
    }
}

/// Bytes shown in messages: text when printable, hex otherwise.
public enum SocketText {
    public static func escaped(_ bytes: [UInt8]) -> String {
        bytes.map { byte -> String in
            switch byte {
            case 0x0D: "\\r"
            case 0x0A: "\\n"
            case 0x09: "\\t"
            case 0x5C: "\\\\"
            case 0x20...0x7E: String(UnicodeScalar(byte))
            default: "\\x" + hex([byte])
            }
        }.joined()
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return out
    }

    /// `"2b 50 4f"` or `"2b504f"` → bytes; nil for anything else.
    public static func bytes(hex text: String) -> [UInt8]? {
        let digits = text.filter { !$0.isWhitespace }
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }

    /// Printable text, or hex when the bytes are not mostly text; cut at `limit` bytes.
    public static func preview(_ bytes: [UInt8], limit: Int = 120) -> String {
        let shown = Array(bytes.prefix(limit))
        let printable = shown.filter { (0x20...0x7E).contains($0) || $0 == 0x0D || $0 == 0x0A || $0 == 0x09 }.count
        let text = shown.isEmpty || printable * 10 >= shown.count * 9 ? "\"" + escaped(shown) + "\"" : "hex " + hex(shown)
        return text + (bytes.count > limit ? "… (\(bytes.count) bytes)" : "")
    }
}

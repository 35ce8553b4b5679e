import TreatyModel

/// Matches raw TCP messages and UDP datagrams against a contract's payloads: text with string
/// patterns, bytes exactly, by prefix, or under a mask. Mismatches show what came, as text when it
/// is printable and as hex otherwise.
public enum SocketMatching {
    public static func match(_ payload: SocketPayload, _ actual: [UInt8], at path: String) -> [Mismatch] {
        switch payload {
        case .text(let pattern):
            guard let text = String(validating: actual, as: UTF8.self) else {
                return [Mismatch(path: path, expected: pattern.example.stringValue.map { "\"\($0)\"" } ?? "text", actual: SocketText.preview(actual),
                                 rule: "text", message: "expected text, got bytes that are not UTF-8: \(SocketText.preview(actual))")]
            }
            if case .string(let literal) = pattern {
                guard literal != text else { return [] }
                return [Mismatch(path: path, expected: SocketText.preview(Array(literal.utf8)), actual: SocketText.preview(actual), rule: "equality",
                                 message: "expected \(SocketText.preview(Array(literal.utf8))), got \(SocketText.preview(actual))")]
            }
            return StringMatching.match(pattern, text, path: path, what: "message")
        case .bytes(let expected, let prefix, let mask):
            if prefix ? actual.count < expected.count : actual.count != expected.count {
                return [Mismatch(path: path, expected: "\(prefix ? "at least " : "")\(expected.count) bytes: \(SocketText.preview(expected))",
                                 actual: "\(actual.count) bytes: \(SocketText.preview(actual))", rule: prefix ? "prefix" : "length",
                                 message: "expected \(prefix ? "at least " : "")\(expected.count) bytes, got \(actual.count): \(SocketText.preview(actual))")]
            }
            for i in expected.indices {
                let bits = mask?[i] ?? 0xFF
                if expected[i] & bits != actual[i] & bits {
                    return [Mismatch(path: path, expected: SocketText.preview(expected), actual: SocketText.preview(actual), rule: mask == nil ? (prefix ? "prefix" : "equality") : "mask",
                                     message: "bytes differ at offset \(i): expected \(SocketText.hex([expected[i]]))"
                                         + (bits == 0xFF ? "" : " under mask \(SocketText.hex([bits]))") + ", got \(SocketText.hex([actual[i]])); came \(SocketText.preview(actual))")]
                }
            }
            return []
        }
    }

    /// Whether `line` (without its delimiter) is the one that ends a message with `until`.
    public static func endsMessage(_ line: [UInt8], _ until: Pattern) -> Bool {
        guard let text = String(validating: line, as: UTF8.self) else { return false }
        return StringMatching.match(until, text, path: "$", what: "line").isEmpty
    }

    /// How many leading bytes two messages share (to name the nearest interaction).
    public static func sharedPrefix(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).prefix { $0 == $1 }.count
    }

    /// The bytes a UDP response must repeat from the request (`echo`), checked beside its payload.
    /// A range that runs to the end of the request moves the ranges after it by the difference
    /// between the request's length there and the example's.
    public static func matchEcho(request: [UInt8], response: [UInt8], ranges: [EchoRange], at path: String) -> [Mismatch] {
        var shift = 0, mismatches: [Mismatch] = []
        for range in ranges {
            let source = range.slice(of: request)
            let start = min(range.offset + shift, response.count)
            let expected = Array(request[source]), actual = Array(response[start..<min(start + source.count, response.count)])
            shift += source.count - range.length
            guard expected != actual else { continue }
            let what = range.offset == 0 && !range.toEnd ? "the first \(expected.count) bytes" : "the \(expected.count) bytes from offset \(range.offset)"
            mismatches.append(Mismatch(path: path, expected: "hex " + SocketText.hex(expected), actual: "hex " + SocketText.hex(actual), rule: "echo",
                                       message: "\(what) must repeat the request's (hex \(SocketText.hex(expected))), got "
                                           + (actual.isEmpty ? "none (the response has \(response.count) bytes)" : "hex \(SocketText.hex(actual))")
                                           + Self.firstDifference(expected, actual, offset: range.offset)))
        }
        return mismatches
    }

    /// ", first at offset N" when two byte runs of the same length differ somewhere inside.
    private static func firstDifference(_ expected: [UInt8], _ actual: [UInt8], offset: Int) -> String {
        guard expected.count == actual.count, expected.count > 1, let i = expected.indices.first(where: { expected[$0] != actual[$0] }) else { return "" }
        return ", first at offset \(offset + i)"
    }

    /// A response's payload for judging beside `matchEcho`: the bytes the echo ranges cover stand
    /// for any (a mask of 0 there), since the echo check judges them against the request.
    public static func withoutEcho(_ payload: SocketPayload, _ ranges: [EchoRange]) -> SocketPayload {
        guard !ranges.isEmpty, case .bytes(let bytes, let prefix, let mask) = payload else { return payload }
        var m = mask ?? [UInt8](repeating: 0xFF, count: bytes.count)
        for range in ranges {
            for k in range.offset..<min(range.offset + range.length, m.count) { m[k] = 0 }
        }
        return .bytes(bytes, prefix: prefix, mask: m)
    }

    /// A datagram a UDP mock sends: the payload's example with the echo ranges taken from the
    /// request (a range to the end of the request puts all of it in, however long).
    public static func answer(_ payload: SocketPayload, request: [UInt8], echo ranges: [EchoRange]) -> [UInt8] {
        let example = payload.exampleBytes
        guard !ranges.isEmpty else { return example }
        var bytes: [UInt8] = [], position = 0
        for range in ranges where range.offset >= position && range.offset <= example.count {
            bytes += example[position..<range.offset]
            bytes += request[range.slice(of: request)]
            position = min(range.offset + range.length, example.count)
        }
        return bytes + example[position...]
    }
}

/// Cuts a TCP byte stream into messages by a framing, for the mock and the verifier alike.
/// Messages over the limit are refused rather than buffered without end.
public struct SocketFrameReader: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooLarge(announced: Int, limit: Int)

        public var description: String {
            switch self {
            case .tooLarge(let announced, let limit): "a message of \(announced) bytes or more, over the limit of \(limit)"
            }
        }
    }

    public let framing: SocketFraming
    public let limit: Int
    private var buffer: [UInt8] = []
    private var ready: [[UInt8]] = []
    /// Line framing: how far the buffer was searched for a delimiter (a long line arriving in
    /// pieces is searched once, not from its start for every piece).
    private var searched = 0

    public init(framing: SocketFraming, limit: Int) {
        self.framing = framing
        self.limit = limit
    }

    /// Bytes received but not yet part of a whole message.
    public var pendingBytes: Int { buffer.count }
    /// Whole messages (lines, for line framing) not yet taken.
    public var readyCount: Int { ready.count }

    public mutating func append(_ bytes: some Sequence<UInt8>) throws(Failure) {
        buffer.append(contentsOf: bytes)
        try cut()
    }

    private mutating func cut() throws(Failure) {
        switch framing {
        case .line(let delimiter):
            var start = 0, i = max(0, searched - delimiter.count + 1)
            while i + delimiter.count <= buffer.count {
                if buffer[i] == delimiter[0], Array(buffer[i..<(i + delimiter.count)]) == delimiter {
                    ready.append(Array(buffer[start..<i]))
                    i += delimiter.count
                    start = i
                } else {
                    i += 1
                }
            }
            buffer.removeFirst(start)
            searched = buffer.count
            if buffer.count > limit { throw .tooLarge(announced: buffer.count, limit: limit) }
        case .length(let bytes, let bigEndian):
            while buffer.count >= bytes {
                var length = 0
                for k in 0..<bytes { length |= Int(buffer[bigEndian ? bytes - 1 - k : k]) << (8 * k) }
                guard length <= limit else { throw .tooLarge(announced: length, limit: limit) }
                guard buffer.count >= bytes + length else { break }
                ready.append(Array(buffer[bytes..<(bytes + length)]))
                buffer.removeFirst(bytes + length)
            }
        case .fixed(let size):
            while buffer.count >= size {
                ready.append(Array(buffer.prefix(size)))
                buffer.removeFirst(size)
            }
        case .idle:
            if buffer.count > limit { throw .tooLarge(announced: buffer.count, limit: limit) }
        }
    }

    /// Idle framing: the connection went quiet, so what came is a message.
    public mutating func quiet() {
        guard case .idle = framing, !buffer.isEmpty else { return }
        ready.append(buffer)
        buffer.removeAll()
    }

    /// The next message spanning `units` lines (one message for other framings), without taking it.
    public func peek(_ units: Int) -> [UInt8]? {
        guard ready.count >= units, units > 0 else { return nil }
        guard case .line(let delimiter) = framing else { return ready[0] }
        var joined = ready[0]
        for unit in ready[1..<units] { joined += delimiter + unit }
        return joined
    }

    public mutating func take(_ units: Int) { ready.removeFirst(min(units, ready.count)) }

    /// How many units `step`'s message spans, once they have all come (nil while more are needed):
    /// with `until`, the lines up to and including the first that matches it; otherwise as many
    /// as the step's example has (one message for framings other than lines).
    public func units(for step: SocketStep) -> Int? {
        guard let until = step.until, case .line = framing else {
            let units = framing.units(of: step.payload.exampleBytes)
            return ready.count >= units ? units : nil
        }
        return ready.firstIndex { SocketMatching.endsMessage($0, until) }.map { $0 + 1 }
    }

    /// Whether the lines received so far can still begin `step`'s message: false once they differ
    /// from a literal example (text, or bytes without a mask), so the receiver judges what came at
    /// once instead of waiting for lines that cannot make it match. Always true for a matcher, a
    /// masked payload or a step read `until` a line (judged only whole), and for other framings.
    public func couldStillComplete(_ step: SocketStep) -> Bool {
        guard case .line(let delimiter) = framing, !ready.isEmpty, step.until == nil else { return true }
        let received = ready.flatMap { $0 + delimiter }
        switch step.payload {
        case .text(.string(let text)): return Array(text.utf8).starts(with: received)
        case .bytes(let bytes, _, nil): return bytes.starts(with: received)
        default: return true
        }
    }

    /// What a receiver can judge for `step` now, and the units it spans: the message once whole, or
    /// the lines that came once they cannot begin it (`couldStillComplete`); nil while it must wait.
    public func judgeable(_ step: SocketStep) -> (message: [UInt8], units: Int)? {
        if let whole = peek(step) { return whole }
        guard !couldStillComplete(step), let came = peek(ready.count) else { return nil }
        return (came, ready.count)
    }

    /// `step`'s message, once whole, and the units it spans.
    public func peek(_ step: SocketStep) -> (message: [UInt8], units: Int)? {
        guard let units = units(for: step), let message = peek(units) else { return nil }
        return (message, units)
    }

    /// Everything received and not taken, for messages about what came.
    public var leftover: [UInt8] {
        guard case .line(let delimiter) = framing else { return ready.flatMap { $0 } + buffer }
        return ready.flatMap { $0 + delimiter } + buffer
    }
}

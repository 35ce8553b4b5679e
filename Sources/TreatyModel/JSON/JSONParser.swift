/// A strict RFC 8259 JSON parser that keeps the position of every value and the written form of
/// every number, accepts a leading UTF-8 byte-order mark, and reports duplicate keys.
///
/// A key written twice keeps its first place and takes the later value, as JavaScript's
/// `JSON.parse`, Python's `json` and most readers do, so the mock and the verifier judge a body as
/// the consumer or provider that reads it would. Contracts list the duplicates as errors.
///
/// It never crashes or recurses without bound: nesting deeper than `maximumDepth` is a syntax error.
public struct JSONParser {
    /// A syntax error: the first place where the input stops being JSON.
    public struct SyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
        public var message: String
        public var position: SourcePosition
        public var description: String { "\(position): \(message)" }
    }

    /// The result of a parse: the value, plus non-fatal findings (duplicate keys).
    public struct Document: Sendable {
        public var root: JSONNode
        /// Keys written twice in one object: the later key's position and pointer. (The object holds
        /// the key once, with the later value.)
        public var duplicateKeys: [(key: String, position: SourcePosition, pointer: JSONPointer)]
    }

    public static let defaultMaximumDepth = 512

    /// Parses `bytes` as one JSON document.
    /// - Throws: `SyntaxError` at the first byte that is not valid JSON.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        maximumDepth: Int = defaultMaximumDepth
    ) throws(SyntaxError) -> Document {
        let array = Array(bytes)
        var parser = Engine(bytes: array, maximumDepth: maximumDepth)
        let root = try parser.parseDocument()
        return Document(root: root, duplicateKeys: parser.duplicates)
    }

    /// Parses a string as one JSON document.
    public static func parse(_ text: String) throws(SyntaxError) -> Document {
        try parse(Array(text.utf8))
    }
}

extension JSONParser {
    fileprivate struct Engine {
        let bytes: [UInt8]
        let maximumDepth: Int
        var index = 0
        var line = 1
        var column = 1
        var depth = 0
        var pointer: [String] = []
        var duplicates: [(key: String, position: SourcePosition, pointer: JSONPointer)] = []

        init(bytes: [UInt8], maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
        }

        var position: SourcePosition { SourcePosition(line: line, column: column) }

        func error(_ message: String, at position: SourcePosition? = nil) -> SyntaxError {
            SyntaxError(message: message, position: position ?? self.position)
        }

        var atEnd: Bool { index >= bytes.count }
        var current: UInt8 { bytes[index] }

        mutating func advance() {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: advance()
                default: return
                }
            }
        }

        mutating func parseDocument() throws(SyntaxError) -> JSONNode {
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
            skipWhitespace()
            if atEnd { throw error("the file is empty; expected a JSON value") }
            let value = try parseValue()
            skipWhitespace()
            if !atEnd { throw error("unexpected \(describe(current)) after the end of the JSON value") }
            return value
        }

        func describe(_ byte: UInt8) -> String {
            if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x" + String(byte, radix: 16, uppercase: true)
        }

        mutating func parseValue() throws(SyntaxError) -> JSONNode {
            guard !atEnd else { throw error("unexpected end of input; expected a value") }
            let start = position
            switch current {
            case UInt8(ascii: "{"): return try parseObject(start)
            case UInt8(ascii: "["): return try parseArray(start)
            case UInt8(ascii: "\""): return JSONNode(.string(try parseString()), at: start)
            case UInt8(ascii: "t"): try expectLiteral("true"); return JSONNode(.bool(true), at: start)
            case UInt8(ascii: "f"): try expectLiteral("false"); return JSONNode(.bool(false), at: start)
            case UInt8(ascii: "n"): try expectLiteral("null"); return JSONNode(.null, at: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return JSONNode(.number(try parseNumber()), at: start)
            case UInt8(ascii: "'"):
                throw error("strings must use double quotes")
            default:
                throw error("unexpected \(describe(current)); expected a value")
            }
        }

        mutating func expectLiteral(_ word: StaticString) throws(SyntaxError) {
            let start = position
            let expected = word.withUTF8Buffer { Array($0) }
            for byte in expected {
                guard !atEnd, current == byte else {
                    throw error("invalid literal; expected '\(word)'", at: start)
                }
                advance()
            }
        }

        mutating func enter() throws(SyntaxError) {
            depth += 1
            if depth > maximumDepth { throw error("nesting deeper than \(maximumDepth) levels") }
        }

        mutating func parseObject(_ start: SourcePosition) throws(SyntaxError) -> JSONNode {
            try enter()
            advance()  // {
            var members: [JSONObject.Member] = []
            var seen: [String: Int] = [:]
            skipWhitespace()
            if !atEnd, current == UInt8(ascii: "}") {
                advance()
                depth -= 1
                return JSONNode(.object(JSONObject(members)), at: start)
            }
            while true {
                skipWhitespace()
                guard !atEnd else { throw error("unexpected end of input inside an object; expected '}'") }
                guard current == UInt8(ascii: "\"") else {
                    if current == UInt8(ascii: "}") { throw error("trailing comma before '}'") }
                    throw error("unexpected \(describe(current)); expected a key in double quotes")
                }
                let keyPosition = position
                let key = try parseString()
                skipWhitespace()
                guard !atEnd, current == UInt8(ascii: ":") else {
                    throw error("expected ':' after the key \"\(key)\"")
                }
                advance()
                skipWhitespace()
                pointer.append(key)
                let value = try parseValue()
                pointer.removeLast()
                if let earlier = seen[key] {
                    duplicates.append((key, keyPosition, JSONPointer(pointer + [key])))
                    members[earlier].value = value
                } else {
                    seen[key] = members.count
                    members.append(JSONObject.Member(key: key, keyPosition: keyPosition, value: value))
                }
                skipWhitespace()
                guard !atEnd else { throw error("unexpected end of input inside an object; expected '}'") }
                if current == UInt8(ascii: ",") {
                    advance()
                    continue
                }
                if current == UInt8(ascii: "}") {
                    advance()
                    depth -= 1
                    return JSONNode(.object(JSONObject(members)), at: start)
                }
                throw error("unexpected \(describe(current)); expected ',' or '}'")
            }
        }

        mutating func parseArray(_ start: SourcePosition) throws(SyntaxError) -> JSONNode {
            try enter()
            advance()  // [
            var elements: [JSONNode] = []
            skipWhitespace()
            if !atEnd, current == UInt8(ascii: "]") {
                advance()
                depth -= 1
                return JSONNode(.array(elements), at: start)
            }
            while true {
                skipWhitespace()
                if !atEnd, current == UInt8(ascii: "]") { throw error("trailing comma before ']'") }
                pointer.append(String(elements.count))
                elements.append(try parseValue())
                pointer.removeLast()
                skipWhitespace()
                guard !atEnd else { throw error("unexpected end of input inside an array; expected ']'") }
                if current == UInt8(ascii: ",") {
                    advance()
                    continue
                }
                if current == UInt8(ascii: "]") {
                    advance()
                    depth -= 1
                    return JSONNode(.array(elements), at: start)
                }
                throw error("unexpected \(describe(current)); expected ',' or ']'")
            }
        }

        mutating func parseString() throws(SyntaxError) -> String {
            let start = position
            advance()  // opening quote
            var buffer: [UInt8] = []
            while true {
                guard !atEnd else { throw error("unterminated string", at: start) }
                let byte = current
                if byte == UInt8(ascii: "\"") {
                    advance()
                    break
                }
                if byte < 0x20 {
                    throw error("control character (byte 0x\(String(byte, radix: 16))) inside a string; escape it")
                }
                if byte == UInt8(ascii: "\\") {
                    advance()
                    guard !atEnd else { throw error("unterminated escape sequence") }
                    let escaped = current
                    switch escaped {
                    case UInt8(ascii: "\""): buffer.append(0x22)
                    case UInt8(ascii: "\\"): buffer.append(0x5C)
                    case UInt8(ascii: "/"): buffer.append(0x2F)
                    case UInt8(ascii: "b"): buffer.append(0x08)
                    case UInt8(ascii: "f"): buffer.append(0x0C)
                    case UInt8(ascii: "n"): buffer.append(0x0A)
                    case UInt8(ascii: "r"): buffer.append(0x0D)
                    case UInt8(ascii: "t"): buffer.append(0x09)
                    case UInt8(ascii: "u"):
                        advance()
                        let scalar = try parseUnicodeEscape()
                        buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
                        continue
                    default:
                        throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(escaped)))'")
                    }
                    advance()
                    continue
                }
                buffer.append(byte)
                advance()
            }
            guard let string = String(validating: buffer, as: UTF8.self) else {
                throw error("string is not valid UTF-8", at: start)
            }
            return string
        }

        mutating func parseHex4() throws(SyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard !atEnd else { throw error("unterminated \\u escape") }
                let byte = current
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw error("invalid hexadecimal digit in \\u escape")
                }
                value = value * 16 + digit
                advance()
            }
            return value
        }

        /// Reads XXXX after `\u`, joining surrogate pairs; a lone surrogate becomes U+FFFD.
        mutating func parseUnicodeEscape() throws(SyntaxError) -> Unicode.Scalar {
            let first = try parseHex4()
            if (0xD800...0xDBFF).contains(first) {
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    advance()
                    advance()
                    let second = try parseHex4()
                    if (0xDC00...0xDFFF).contains(second) {
                        let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                        return Unicode.Scalar(combined) ?? "\u{FFFD}"
                    }
                    return "\u{FFFD}"
                }
                return "\u{FFFD}"
            }
            return Unicode.Scalar(first) ?? "\u{FFFD}"
        }

        mutating func parseNumber() throws(SyntaxError) -> JSONNumber {
            let startIndex = index
            if current == UInt8(ascii: "-") { advance() }
            guard !atEnd, isDigit(current) else { throw error("invalid number: expected a digit") }
            if current == UInt8(ascii: "0") {
                advance()
                if !atEnd, isDigit(current) { throw error("invalid number: leading zeros are not allowed") }
            } else {
                while !atEnd, isDigit(current) { advance() }
            }
            if !atEnd, current == UInt8(ascii: ".") {
                advance()
                guard !atEnd, isDigit(current) else { throw error("invalid number: expected a digit after '.'") }
                while !atEnd, isDigit(current) { advance() }
            }
            if !atEnd, current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                advance()
                if !atEnd, current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { advance() }
                guard !atEnd, isDigit(current) else { throw error("invalid number: expected a digit in the exponent") }
                while !atEnd, isDigit(current) { advance() }
            }
            return JSONNumber(text: String(decoding: bytes[startIndex..<index], as: UTF8.self))
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    }
}

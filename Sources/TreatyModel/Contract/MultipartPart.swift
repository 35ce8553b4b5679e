import Foundation

/// One part of a `multipart/form-data` body.
public struct MultipartPart: Sendable {
    public var name: String
    public var filename: String?
    /// The part's media type; nil accepts any.
    public var contentType: String?
    public var body: BodySpec?

    public init(name: String, filename: String? = nil, contentType: String? = nil, body: BodySpec? = nil) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.body = body
    }

    /// The boundary Treaty uses when it sends multipart bodies.
    public static let boundary = "treaty-boundary-7c4d1e9a"

    /// The body bytes of `parts`, separated by `boundary`.
    public static func encode(_ parts: [MultipartPart], boundary: String) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            out += Array("--\(boundary)\r\n".utf8)
            // Quotes and line breaks cannot stand in a quoted header value (the HTML form encoding escapes them).
            func quoted(_ s: String) -> String {
                s.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
            }
            var disposition = "Content-Disposition: form-data; name=\"\(quoted(part.name))\""
            if let filename = part.filename { disposition += "; filename=\"\(quoted(filename))\"" }
            out += Array((disposition + "\r\n").utf8)
            if let type = part.contentType ?? part.body?.defaultContentType, part.body != nil || part.contentType != nil {
                out += Array("Content-Type: \(type)\r\n".utf8)
            }
            out += Array("\r\n".utf8)
            out += part.body?.exampleBytes ?? []
            out += Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }

    /// An actual part, parsed from a body.
    public struct Actual: Sendable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var body: [UInt8]
    }

    /// Splits `body` by the boundary of `contentType`; nil when the body is not multipart.
    public static func parse(_ body: [UInt8], contentType: String) -> [Actual]? {
        guard let boundary = contentType.split(separator: ";").dropFirst().compactMap({ parameter -> String? in
            let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters() }
            guard kv.count == 2, kv[0].lowercased() == "boundary" else { return nil }
            return kv[1].count >= 2 && kv[1].first == "\"" && kv[1].last == "\"" ? String(kv[1].dropFirst().dropLast()) : kv[1]
        }).first, !boundary.isEmpty else { return nil }
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Actual] = []
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if body[i] == delimiter[0], Array(body[i..<(i + delimiter.count)]) == delimiter {
                positions.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        guard positions.count >= 2 else { return nil }
        for (start, end) in zip(positions, positions.dropFirst()) {
            var chunk = Array(body[(start + delimiter.count)..<end])
            if chunk.starts(with: [13, 10]) { chunk.removeFirst(2) } else if chunk.first == 10 { chunk.removeFirst() }
            if chunk.suffix(2) == [13, 10] { chunk.removeLast(2) } else if chunk.last == 10 { chunk.removeLast() }
            // Headers end at the first blank line.
            var headerEnd = -1, bodyStart = chunk.count
            for j in 0..<chunk.count {
                if j + 3 < chunk.count, chunk[j] == 13, chunk[j + 1] == 10, chunk[j + 2] == 13, chunk[j + 3] == 10 { headerEnd = j; bodyStart = j + 4; break }
                if j + 1 < chunk.count, chunk[j] == 10, chunk[j + 1] == 10 { headerEnd = j; bodyStart = j + 2; break }
            }
            let headerText = String(decoding: chunk[0..<max(0, headerEnd)], as: UTF8.self)
            var part = Actual(name: "", filename: nil, contentType: nil, body: Array(chunk[min(bodyStart, chunk.count)...]))
            for line in headerText.split(whereSeparator: \.isNewline) {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters()
                if name == "content-type" { part.contentType = value }
                if name == "content-disposition" {
                    for parameter in value.split(separator: ";").dropFirst() {
                        let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters() }
                        guard kv.count == 2 else { continue }
                        let v = kv[1].count >= 2 && kv[1].first == "\"" ? String(kv[1].dropFirst().dropLast()) : kv[1]
                        if kv[0].lowercased() == "name" { part.name = v }
                        if kv[0].lowercased() == "filename" { part.filename = v }
                    }
                }
            }
            parts.append(part)
        }
        return parts
    }
}

/// `application/x-www-form-urlencoded` encoding (spaces as `+`).
public enum FormEncoding {
    public static func encode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "*"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case 0x20: out += "+"
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(digits[Int(b >> 4)])
                out.unicodeScalars.append(digits[Int(b & 0xF)])
            }
        }
        return out
    }
}

/// Media types sniffed from a body's first bytes, for the `contentType` comparison.
public enum ContentSniffer {
    public static func mediaType(of bytes: [UInt8]) -> String {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.starts(with: prefix) }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("%PDF-".utf8)) { return "application/pdf" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        if starts([0x1F, 0x8B]) { return "application/gzip" }
        if bytes.count >= 12, starts(Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        if bytes.contains(0) || String(validating: bytes.prefix(4096), as: UTF8.self) == nil && bytes.count < 4096 { return "application/octet-stream" }
        let text = String(decoding: bytes.prefix(512), as: UTF8.self).trimmedWhitespace
        if text.hasPrefix("<?xml") { return "application/xml" }
        if text.lowercased().hasPrefix("<!doctype html") || text.lowercased().hasPrefix("<html") { return "text/html" }
        if (try? JSONParser.parse(bytes)) != nil { return "application/json" }
        return "text/plain"
    }

    /// True when `expected` (a media type) describes `bytes`; `+json`/`+xml` types count as their base.
    public static func matches(_ bytes: [UInt8], expected: String) -> Bool {
        let essence = (expected.split(separator: ";").first.map { $0.trimmingCharacters() } ?? expected).lowercased()
        let sniffed = mediaType(of: bytes)
        if essence == sniffed { return true }
        if MediaType.isJSON(essence) { return sniffed == "application/json" }
        if XMLBody.isXML(essence) { return sniffed == "application/xml" }
        if essence.hasPrefix("text/") { return sniffed.hasPrefix("text/") || sniffed == "application/json" || sniffed == "application/xml" }
        return false
    }
}

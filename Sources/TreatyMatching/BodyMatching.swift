import TreatyModel

/// Matches an actual body against the contract's body: JSON structurally, text as a string
/// pattern, bytes exactly.
enum BodyMatching {
    static func match(_ spec: BodySpec?, _ actual: [UInt8], contentType: String? = nil, allowUnexpectedKeys: Bool,
                      at root: String = "$.body") -> [Mismatch] {
        guard let spec else { return [] }
        switch spec {
        case .form(let fields):
            let pairs = PercentEncoding.parseQuery(String(decoding: actual, as: UTF8.self))
            return NamedValueMatching.match(pairs, fields, section: root, what: "form field", allowUnexpected: allowUnexpectedKeys)
        case .multipart(let parts):
            guard let contentType, let actualParts = MultipartPart.parse(actual, contentType: contentType) else {
                return [Mismatch(path: root, expected: "a multipart/form-data body", actual: contentType ?? "(no Content-Type)", rule: "body",
                                 message: "expected a multipart body with a boundary in its Content-Type, got \(contentType ?? "no Content-Type")")]
            }
            var out: [Mismatch] = []
            for part in parts {
                let path = root + "." + part.name
                guard let found = actualParts.first(where: { $0.name == part.name }) else {
                    out.append(Mismatch(path: path, expected: "a part named \"\(part.name)\"", actual: "(missing)", rule: "missing",
                                        message: "missing multipart part \"\(part.name)\""))
                    continue
                }
                if let filename = part.filename, found.filename != filename {
                    out.append(Mismatch(path: path + ".filename", expected: filename, actual: found.filename ?? "(none)", rule: "equality",
                                        message: "expected filename \"\(filename)\", got \"\(found.filename ?? "")\""))
                }
                if let type = part.contentType, !HeaderMatching.contentTypeMatches(expected: type, actual: found.contentType ?? "text/plain") {
                    out.append(Mismatch(path: path + ".contentType", expected: type, actual: found.contentType ?? "(none)", rule: "equality",
                                        message: "expected part content type \(type), got \(found.contentType ?? "none")"))
                }
                out += match(part.body, found.body, contentType: found.contentType, allowUnexpectedKeys: allowUnexpectedKeys, at: path)
            }
            return out
        case .contentType(let type, _):
            if ContentSniffer.matches(actual, expected: type) { return [] }
            return [Mismatch(path: root, expected: type, actual: ContentSniffer.mediaType(of: actual), rule: "contentType",
                             message: "expected a body of type \(type), got one that looks like \(ContentSniffer.mediaType(of: actual)) (\(actual.count) bytes)")]
        case .json(let pattern):
            if actual.isEmpty {
                // A contract body of null means "no body": an empty body satisfies it.
                if case .null = pattern { return [] }
                return [Mismatch(path: root, expected: preview(pattern.example), actual: "(empty body)", rule: "body",
                                 message: "expected a JSON body, got an empty body")]
            }
            let document: JSONParser.Document
            do {
                document = try JSONParser.parse(actual)
            } catch {
                let text = String(decoding: actual.prefix(200), as: UTF8.self)
                return [Mismatch(path: root, expected: "a JSON body", actual: clip(text), rule: "body",
                                 message: "body is not JSON: \(error.message) at \(error.position)")]
            }
            return ValueMatcher(allowUnexpectedKeys: allowUnexpectedKeys).match(pattern, document.root, at: root)
        case .text(let pattern):
            return StringMatching.match(pattern, String(decoding: actual, as: UTF8.self), path: root, what: "body")
        case .xml(let pattern, _):
            if actual.isEmpty {
                return [Mismatch(path: root, expected: "an XML body", actual: "(empty body)", rule: "body",
                                 message: "expected an XML body, got an empty body")]
            }
            switch XMLBody.json(from: actual) {
            case .failure(let error):
                let text = String(decoding: actual.prefix(200), as: UTF8.self)
                return [Mismatch(path: root, expected: "an XML body", actual: clip(text), rule: "body",
                                 message: "body is not well-formed XML: \(error)")]
            case .success(let shape):
                return ValueMatcher(allowUnexpectedKeys: allowUnexpectedKeys, allowExtraElements: allowUnexpectedKeys, xml: true)
                    .match(pattern, shape, at: root)
            }
        case .bytes(let expected):
            guard expected != actual else { return [] }
            let firstDifference = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(expected.count, actual.count)
            return [Mismatch(path: root, expected: "\(expected.count) bytes", actual: "\(actual.count) bytes", rule: "equality",
                             message: "body bytes differ from offset \(firstDifference) (expected \(expected.count) bytes, got \(actual.count))")]
        }
    }
}

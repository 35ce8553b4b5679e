import TreatyModel

/// Matches an actual body against the contract's body: JSON structurally, text as a string
/// pattern, bytes exactly.
enum BodyMatching {
    static func match(_ spec: BodySpec?, _ actual: [UInt8], allowUnexpectedKeys: Bool) -> [Mismatch] {
        guard let spec else { return [] }
        switch spec {
        case .json(let pattern):
            if actual.isEmpty {
                // A contract body of null means "no body": an empty body satisfies it.
                if case .null = pattern { return [] }
                return [Mismatch(path: "$.body", expected: preview(pattern.example), actual: "(empty body)", rule: "body",
                                 message: "expected a JSON body, got an empty body")]
            }
            let document: JSONParser.Document
            do {
                document = try JSONParser.parse(actual)
            } catch {
                let text = String(decoding: actual.prefix(200), as: UTF8.self)
                return [Mismatch(path: "$.body", expected: "a JSON body", actual: clip(text), rule: "body",
                                 message: "body is not JSON: \(error.message) at \(error.position)")]
            }
            return ValueMatcher(allowUnexpectedKeys: allowUnexpectedKeys).match(pattern, document.root, at: "$.body")
        case .text(let pattern):
            return StringMatching.match(pattern, String(decoding: actual, as: UTF8.self), path: "$.body", what: "body")
        case .xml(let pattern, _):
            if actual.isEmpty {
                return [Mismatch(path: "$.body", expected: "an XML body", actual: "(empty body)", rule: "body",
                                 message: "expected an XML body, got an empty body")]
            }
            switch XMLBody.json(from: actual) {
            case .failure(let error):
                let text = String(decoding: actual.prefix(200), as: UTF8.self)
                return [Mismatch(path: "$.body", expected: "an XML body", actual: clip(text), rule: "body",
                                 message: "body is not well-formed XML: \(error)")]
            case .success(let shape):
                return ValueMatcher(allowUnexpectedKeys: allowUnexpectedKeys, allowExtraElements: allowUnexpectedKeys, xml: true)
                    .match(pattern, shape, at: "$.body")
            }
        case .bytes(let expected):
            guard expected != actual else { return [] }
            let firstDifference = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(expected.count, actual.count)
            return [Mismatch(path: "$.body", expected: "\(expected.count) bytes", actual: "\(actual.count) bytes", rule: "equality",
                             message: "body bytes differ from offset \(firstDifference) (expected \(expected.count) bytes, got \(actual.count))")]
        }
    }
}

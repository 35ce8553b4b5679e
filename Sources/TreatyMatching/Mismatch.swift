import TreatyModel

/// One way an actual value differs from the contract. Mismatches are values, never errors: the
/// mock's unmatched-request answer, the verifier's console output and JUnit failures all render them.
public struct Mismatch: Hashable, Sendable, CustomStringConvertible {
    /// Where, as `$.body.items[0].sku`, `$.headers.Content-Type`, `$.status`, `$.path`, `$.query.page`.
    public var path: String
    /// What the contract asked for, in words or JSON.
    public var expected: String
    /// What came, in words or JSON.
    public var actual: String
    /// The rule that failed: `equality`, `type`, `$regex`, `missing`, `unexpected`, …
    public var rule: String
    /// One sentence for people.
    public var message: String

    public init(path: String, expected: String, actual: String, rule: String, message: String) {
        self.path = path
        self.expected = expected
        self.actual = actual
        self.rule = rule
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// `path: message (expected X, actual Y)` on one line.
    public var detailedDescription: String {
        "\(path): \(message)\n    expected: \(expected)\n    actual:   \(actual)"
    }
}

extension Mismatch {
    /// JSON for this mismatch: `{"path", "rule", "expected", "actual", "message"}`.
    public var json: JSONNode {
        .object([
            ("path", .string(path)), ("rule", .string(rule)), ("expected", .string(expected)),
            ("actual", .string(actual)), ("message", .string(message)),
        ])
    }
}

/// Short JSON text of a value for messages, cut at `limit` characters.
func preview(_ node: JSONNode, limit: Int = 200) -> String {
    clip(node.rendered(), limit: limit)
}

func clip(_ text: String, limit: Int = 200) -> String {
    if text.count <= limit { return text }
    return String(text.prefix(limit)) + "… (\(text.count) characters)"
}

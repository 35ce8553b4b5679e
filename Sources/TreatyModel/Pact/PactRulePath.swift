/// A matching-rule path of the Pact format: `$.body.animals[*].name`, `$['odd key'][0].*`.
public struct PactRulePath: Hashable, Sendable, CustomStringConvertible {
    public enum Token: Hashable, Sendable {
        case root
        case field(String)
        case index(Int)
        /// `.*` or `['*']`: any key.
        case anyField
        /// `[*]`: any index.
        case anyIndex
    }

    public var tokens: [Token]
    public let text: String

    public init(tokens: [Token], text: String) {
        self.tokens = tokens
        self.text = text
    }

    /// Parses a path; nil with a reason when it is not one.
    public static func parse(_ text: String) -> Result<PactRulePath, PathError> {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        func fail(_ message: String) -> Result<PactRulePath, PathError> { .failure(PathError(message: message)) }
        if chars.first == "$" {
            tokens.append(.root)
            i = 1
        } else {
            // V3 categories (header, query) and some tools write bare names.
            return .success(PactRulePath(tokens: [.root, .field(text)], text: text))
        }
        while i < chars.count {
            switch chars[i] {
            case ".":
                i += 1
                var name = ""
                while i < chars.count, chars[i] != ".", chars[i] != "[" {
                    name.append(chars[i])
                    i += 1
                }
                if name.isEmpty { return fail("empty name after '.' in \(text)") }
                tokens.append(name == "*" ? .anyField : .field(name))
            case "[":
                i += 1
                guard i < chars.count else { return fail("unterminated '[' in \(text)") }
                if chars[i] == "'" || chars[i] == "\"" {
                    let quote = chars[i]
                    i += 1
                    var name = ""
                    while i < chars.count, chars[i] != quote {
                        name.append(chars[i])
                        i += 1
                    }
                    guard i + 1 < chars.count, chars[i + 1] == "]" else { return fail("unterminated quoted name in \(text)") }
                    i += 2
                    tokens.append(name == "*" ? .anyField : .field(name))
                } else {
                    var inner = ""
                    while i < chars.count, chars[i] != "]" {
                        inner.append(chars[i])
                        i += 1
                    }
                    guard i < chars.count else { return fail("unterminated '[' in \(text)") }
                    i += 1
                    if inner == "*" {
                        tokens.append(.anyIndex)
                    } else if let n = Int(inner), n >= 0 {
                        tokens.append(.index(n))
                    } else {
                        return fail("'[\(inner)]' is not an index, [*] or a quoted name in \(text)")
                    }
                }
            default:
                return fail("unexpected '\(chars[i])' in \(text); expected '.' or '['")
            }
        }
        return .success(PactRulePath(tokens: tokens, text: text))
    }

    public struct PathError: Error, Hashable, Sendable {
        public var message: String
    }

    /// How specifically this rule path matches a concrete `path` of the same length: 0 when it
    /// does not match, otherwise one more than the number of exact tokens. Pact weighs exact tokens
    /// 2 and wildcards 1 and multiplies; the product is 2 to the power of the exact tokens, so it
    /// orders paths as their count does, and the count cannot overflow where the product did (a
    /// path of 63 exact tokens trapped).
    public func weight(against path: [Token]) -> Int {
        guard tokens.count == path.count else { return 0 }
        var exact = 0
        for (rule, actual) in zip(tokens, path) {
            switch (rule, actual) {
            case (.root, .root): exact += 1
            case (.field(let a), .field(let b)) where a == b: exact += 1
            case (.anyField, .field): break
            case (.index(let a), .index(let b)) where a == b: exact += 1
            case (.anyIndex, .index): break
            default: return 0
            }
        }
        return exact + 1
    }

    public var description: String { text }
}

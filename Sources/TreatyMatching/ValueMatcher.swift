import TreatyModel

/// Matches actual JSON values against patterns, collecting every mismatch.
///
/// Plain values compare for equality; inside `$type` and `$eachLike` they compare by JSON type only
/// (Pact's cascading "like" semantics); matchers apply wherever they stand.
public struct ValueMatcher: Sendable {
    /// Whether an actual object may carry keys the contract does not name. Responses allow them
    /// (consumers ignore what they do not read); requests do not (Pact's rule).
    public var allowUnexpectedKeys: Bool
    /// Whether an actual array may be longer than the written one (XML response bodies: extra
    /// child elements are allowed, as Pact allows them).
    public var allowExtraElements: Bool

    /// Objects are XML elements in `XMLBody`'s shape: child elements, text and namespaces the
    /// contract does not show are mismatches even where unexpected attributes are allowed.
    public var xml: Bool

    public init(allowUnexpectedKeys: Bool, allowExtraElements: Bool = false, xml: Bool = false) {
        self.allowUnexpectedKeys = allowUnexpectedKeys
        self.allowExtraElements = allowExtraElements
        self.xml = xml
    }

    /// All mismatches of `actual` against `pattern`; empty when it matches.
    public func match(_ pattern: Pattern, _ actual: JSONNode, at root: String = "$") -> [Mismatch] {
        var out: [Mismatch] = []
        match(pattern, actual, MatchPath(root), byType: false, &out)
        return out
    }

    func match(_ pattern: Pattern, _ actual: JSONNode, _ path: MatchPath, byType: Bool, _ out: inout [Mismatch]) {
        switch pattern {
        case .null:
            if !actual.isNull { out.append(typeMismatch(path, "null", actual)) }
        case .bool(let b):
            guard let a = actual.boolValue else { return out.append(typeMismatch(path, "a boolean", actual)) }
            if !byType && a != b { out.append(valueMismatch(path, JSONNode.bool(b), actual)) }
        case .number(let n):
            guard let a = actual.numberValue else { return out.append(typeMismatch(path, "a number", actual)) }
            if !byType && !a.numericallyEquals(n) { out.append(valueMismatch(path, JSONNode(.number(n)), actual)) }
        case .string(let s):
            guard let a = actual.stringValue else { return out.append(typeMismatch(path, "a string", actual)) }
            if !byType && a != s { out.append(valueMismatch(path, .string(s), actual)) }
        case .array(let elements):
            guard let a = actual.arrayValue else { return out.append(typeMismatch(path, "an array", actual)) }
            if byType {
                // The written elements are a template: each actual element matches the one at its
                // index, or the last written one.
                guard !elements.isEmpty else { return }
                for (i, element) in a.enumerated() {
                    match(elements[min(i, elements.count - 1)], element, path.index(i), byType: true, &out)
                }
                return
            }
            if a.count != elements.count && !(allowExtraElements && a.count > elements.count) {
                out.append(Mismatch(path: path.text, expected: "\(elements.count) element(s)", actual: "\(a.count) element(s)",
                                    rule: "equality", message: "expected an array of \(elements.count) element(s), got \(a.count)"))
            }
            for i in 0..<min(a.count, elements.count) {
                match(elements[i], a[i], path.index(i), byType: false, &out)
            }
        case .object(let members):
            guard let a = actual.objectValue else { return out.append(typeMismatch(path, "an object", actual)) }
            let index = a.count > 8 ? Dictionary(a.members.map { ($0.key, $0.value) }, uniquingKeysWith: { x, _ in x }) : nil
            for member in members {
                let value = index.map { $0[member.key] } ?? a[member.key]
                guard let value else {
                    out.append(Mismatch(path: path.key(member.key).text, expected: preview(member.pattern.example),
                                        actual: "(missing)", rule: "missing",
                                        message: "missing key \"\(member.key)\""))
                    continue
                }
                match(member.pattern, value, path.key(member.key), byType: byType, &out)
            }
            if !allowUnexpectedKeys || xml {
                let expectedKeys = Set(members.map(\.key))
                for member in a.members where !expectedKeys.contains(member.key) && (!allowUnexpectedKeys || !member.key.hasPrefix("@")) {
                    out.append(Mismatch(path: path.key(member.key).text, expected: "(absent)", actual: preview(member.value),
                                        rule: "unexpected", message: "unexpected key \"\(member.key)\""))
                }
            }
        case .matcher(let matcher):
            matchRule(matcher.rule, actual, path, &out)
        }
    }

    func matchRule(_ rule: MatchRule, _ actual: JSONNode, _ path: MatchPath, _ out: inout [Mismatch]) {
        func fail(_ expected: String, _ message: String) {
            out.append(Mismatch(path: path.text, expected: expected, actual: preview(actual), rule: rule.name, message: message))
        }
        switch rule {
        case .equals(let node):
            if node != actual { out.append(valueMismatch(path, node, actual, rule: "$equals")) }
        case .type(let pattern):
            match(pattern, actual, path, byType: true, &out)
        case .regex(let regex, _):
            guard let text = actual.scalarText else { return fail("a string matching /\(regex.source)/", "expected a string matching /\(regex.source)/, got \(actual.typeName)") }
            if !regex.compiled.matchesWhole(text) { fail("/\(regex.source)/", "\(preview(actual)) does not match /\(regex.source)/") }
        case .integer:
            guard let n = actual.numberValue, n.isInteger else { return fail("an integer", "expected an integer, got \(describe(actual))") }
        case .decimal:
            guard let n = actual.numberValue, n.isDecimal else { return fail("a decimal number", "expected a decimal number, got \(describe(actual))") }
        case .number:
            guard actual.numberValue != nil else { return fail("a number", "expected a number, got \(describe(actual))") }
        case .boolean:
            guard actual.boolValue != nil else { return fail("a boolean", "expected a boolean, got \(describe(actual))") }
        case .string:
            guard actual.stringValue != nil else { return fail("a string", "expected a string, got \(describe(actual))") }
        case .null:
            guard actual.isNull else { return fail("null", "expected null, got \(describe(actual))") }
        case .dateTime(let kind, let format, _):
            let shown = format ?? kind.defaultFormat
            guard let text = actual.stringValue else { return fail("a \(kind.rawValue) string (\(shown))", "expected a \(kind.rawValue) string, got \(actual.typeName)") }
            if !DateTimeFormats.matches(text, kind: kind, format: format) {
                fail("a \(kind.rawValue) in the format \(shown)", "\"\(clip(text))\" is not a \(kind.rawValue) in the format \(shown)")
            }
        case .eachLike(let template, let min, let max, _):
            guard let a = actual.arrayValue else { return fail("an array", "expected an array, got \(actual.typeName)") }
            if a.count < min { fail("at least \(min) element(s)", "expected at least \(min) element(s), got \(a.count)") }
            if let max, a.count > max { fail("at most \(max) element(s)", "expected at most \(max) element(s), got \(a.count)") }
            for (i, element) in a.enumerated() {
                match(template, element, path.index(i), byType: true, &out)
            }
        case .size(let min, let max):
            let count: Int
            switch actual.value {
            case .array(let a): count = a.count
            case .object(let o): count = o.count
            case .string(let t): count = t.count
            default: return fail("an array", "expected an array, got \(actual.typeName)")
            }
            if let min, count < min { fail("at least \(min) element(s)", "expected at least \(min) element(s), got \(count)") }
            if let max, count > max { fail("at most \(max) element(s)", "expected at most \(max) element(s), got \(count)") }
        case .eachKey(let key, _):
            guard let object = actual.objectValue else { return fail("an object", "expected an object, got \(actual.typeName)") }
            for member in object.members {
                out += StringMatching.match(key, member.key, path: path.key(member.key).text, what: "key")
            }
        case .eachValue(let template, _):
            if let object = actual.objectValue {
                for member in object.members { match(template, member.value, path.key(member.key), byType: true, &out) }
            } else if let array = actual.arrayValue {
                for (i, element) in array.enumerated() { match(template, element, path.index(i), byType: true, &out) }
            } else {
                fail("an object or array", "expected an object or array, got \(actual.typeName)")
            }
        case .values(let templates):
            guard let object = actual.objectValue else { return fail("an object", "expected an object, got \(actual.typeName)") }
            for member in object.members {
                let template = templates.first { $0.key == member.key } ?? templates[0]
                match(template.pattern, member.value, path.key(member.key), byType: true, &out)
            }
        case .arrayContains(let variants):
            guard let array = actual.arrayValue else { return fail("an array", "expected an array, got \(actual.typeName)") }
            for (i, variant) in variants.enumerated() {
                let found = array.contains { element in
                    var attempt: [Mismatch] = []
                    match(variant, element, path, byType: false, &attempt)
                    return attempt.isEmpty
                }
                if !found {
                    out.append(Mismatch(path: path.text, expected: "an element like \(preview(variant.example, limit: 80))", actual: preview(actual),
                                        rule: "$arrayContains", message: "no element matches variant \(i) (\(preview(variant.example, limit: 80)))"))
                }
            }
        case .semver:
            guard let text = actual.stringValue, SemanticVersion.isValid(text) else {
                return fail("a semantic version", "expected a semantic version such as 1.2.3, got \(describe(actual))")
            }
        case .notEmpty(let pattern):
            match(pattern, actual, path, byType: true, &out)
            let empty: Bool
            switch actual.value {
            case .string(let t): empty = t.isEmpty
            case .array(let a): empty = a.isEmpty
            case .object(let o): empty = o.isEmpty
            case .null: empty = true
            default: empty = false
            }
            if empty { fail("a non-empty value", "expected a non-empty value, got \(describe(actual))") }
        case .childCount(let min, let max):
            let count = actual.objectValue?.members.reduce(0) { $0 + ($1.value.arrayValue?.count ?? 0) } ?? 0
            if count < min { fail("at least \(min) child element(s)", "expected at least \(min) child element(s), got \(count)") }
            if let max, count > max { fail("at most \(max) child element(s)", "expected at most \(max) child element(s), got \(count)") }
        case .allOf(let rules):
            for rule in rules { matchRule(rule, actual, path, &out) }
        case .anyOf(let rules):
            var attempts: [[Mismatch]] = []
            for rule in rules {
                var found: [Mismatch] = []
                matchRule(rule, actual, path, &found)
                if found.isEmpty { return }
                attempts.append(found)
            }
            let reasons = attempts.compactMap { $0.first?.message }.joined(separator: "; or ")
            fail(rules.map(\.name).joined(separator: " or "), "matches none of the alternatives: \(reasons)")
        case .integer64(let written, let unsigned):
            let kind = unsigned ? "an unsigned 64-bit integer" : "a 64-bit integer"
            let fits: Bool
            switch actual.value {
            case .string(let text): fits = Self.decimalInteger(text, unsigned: unsigned)
            case .number(let n):
                // The contract's own example; `$number` takes any number it would take, `$integer` only one written whole.
                if case .number = written { fits = !n.isInteger || Self.decimalInteger(n.text, unsigned: unsigned) }
                else { fits = n.isInteger && Self.decimalInteger(n.text, unsigned: unsigned) }
            default: fits = false
            }
            if !fits { fail(kind, "expected \(kind) (a string of decimal digits in proto3 JSON), got \(describe(actual))") }
        case .include(let needle):
            guard let text = actual.stringValue else { return fail("a string containing \"\(needle)\"", "expected a string, got \(actual.typeName)") }
            if !text.contains(needle) { fail("a string containing \"\(needle)\"", "\(preview(actual)) does not contain \"\(needle)\"") }
        }
    }


    /// A decimal integer as proto3 JSON prints a 64-bit one: `-?(0|[1-9][0-9]*)`, within the
    /// range of int64 or uint64.
    static func decimalInteger(_ text: String, unsigned: Bool) -> Bool {
        let digits = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
        guard let first = digits.first, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              first != UInt8(ascii: "0") || digits.count == 1 else { return false }
        return unsigned ? UInt64(text) != nil : Int64(text) != nil
    }

    func describe(_ node: JSONNode) -> String {
        switch node.value {
        case .number, .bool, .null: node.rendered()
        default: "\(node.typeName) \(preview(node, limit: 60))"
        }
    }

    func typeMismatch(_ path: MatchPath, _ expected: String, _ actual: JSONNode) -> Mismatch {
        Mismatch(path: path.text, expected: expected, actual: preview(actual), rule: "type",
                 message: "expected \(expected), got \(actual.typeName)")
    }

    func valueMismatch(_ path: MatchPath, _ expected: JSONNode, _ actual: JSONNode, rule: String = "equality") -> Mismatch {
        Mismatch(path: path.text, expected: preview(expected), actual: preview(actual), rule: rule,
                 message: "expected \(preview(expected, limit: 80)), got \(preview(actual, limit: 80))")
    }
}

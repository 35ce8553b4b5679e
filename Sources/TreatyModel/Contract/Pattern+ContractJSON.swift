extension Pattern {
    /// The pattern in Treaty's inline contract syntax, or nil with the reason when the syntax
    /// cannot express it (XML child counts).
    public func contractJSON() -> Result<JSONNode, InexpressibleRule> {
        switch self {
        case .null, .bool, .number, .string:
            return .success(example)
        case .array(let elements):
            var out: [JSONNode] = []
            for element in elements {
                switch element.contractJSON() {
                case .success(let node): out.append(node)
                case .failure(let reason): return .failure(reason)
                }
            }
            return .success(.array(out))
        case .object(let members):
            if isLiteral, members.contains(where: { $0.key.hasPrefix("$") }) {
                // A literal key starting with "$" would read as a matcher.
                return .success(.object([("$equals", example)]))
            }
            var out: [(String, JSONNode)] = []
            for member in members {
                switch member.pattern.contractJSON() {
                case .success(let node): out.append((member.key, node))
                case .failure(let reason): return .failure(reason)
                }
            }
            return .success(.object(out))
        case .matcher(let matcher):
            guard let generator = matcher.generator else { return matcher.rule.contractJSON() }
            return matcher.rule.contractJSON().map { node in
                guard case .object(var object) = node.value else { return node }
                object.members.append(JSONObject.Member(key: "generate", value: generator.contractJSON))
                return JSONNode(.object(object))
            }
        }
    }
}

/// Why a rule has no inline form.
public struct InexpressibleRule: Error, Hashable, Sendable {
    public var rule: String
}

extension MatchRule {
    public func contractJSON() -> Result<JSONNode, InexpressibleRule> {
        func wrap(_ pattern: Pattern, _ build: (JSONNode) -> JSONNode) -> Result<JSONNode, InexpressibleRule> {
            pattern.contractJSON().map(build)
        }
        switch self {
        case .equals(let node): return .success(.object([("$equals", node)]))
        case .type(let pattern): return wrap(pattern) { .object([("$type", $0)]) }
        case .regex(let regex, let example): return .success(.object([("$regex", .string(regex.source)), ("example", .string(example))]))
        case .integer(let n): return .success(.object([("$integer", JSONNode(.number(n)))]))
        case .decimal(let n): return .success(.object([("$decimal", JSONNode(.number(n)))]))
        case .number(let n): return .success(.object([("$number", JSONNode(.number(n)))]))
        case .boolean(let b): return .success(.object([("$boolean", .bool(b))]))
        case .string(let s): return .success(.object([("$string", .string(s))]))
        case .null: return .success(.object([("$null", .null)]))
        case .dateTime(let kind, let format, let example):
            var members: [(String, JSONNode)] = [("$" + kind.rawValue, .string(example))]
            if let format { members.append(("format", .string(format))) }
            return .success(.object(members))
        case .eachLike(let template, let min, let max, let examples):
            return wrap(template) { t in
                var members: [(String, JSONNode)] = [("$eachLike", t), ("min", .number(min))]
                if let max { members.append(("max", .number(max))) }
                members.append(("examples", .number(examples)))
                return .object(members)
            }
        case .include(let s): return .success(.object([("$include", .string(s))]))
        case .allOf(let rules) where rules.count == 2:
            if case .type(let p) = rules[0], case .size(let min, let max) = rules[1] {
                return wrap(p) { t in
                    var members: [(String, JSONNode)] = [("$type", t)]
                    if let min { members.append(("min", .number(min))) }
                    if let max { members.append(("max", .number(max))) }
                    return .object(members)
                }
            }
            fallthrough
        case .allOf(let rules), .anyOf(let rules):
            var out: [JSONNode] = []
            for rule in rules {
                switch rule.contractJSON() {
                case .success(let node): out.append(node)
                case .failure(let reason): return .failure(reason)
                }
            }
            return .success(.object([(name, .array(out))]))
        case .childCount: return .failure(InexpressibleRule(rule: "XML child-count (min/max on an element)"))
        case .size: return .failure(InexpressibleRule(rule: "size"))
        case .eachKey(let key, let example): return wrap(key) { .object([("$eachKey", $0), ("example", example)]) }
        case .eachValue(let template, let example): return wrap(template) { .object([("$eachValue", $0), ("example", example)]) }
        case .values(let members): return Pattern.object(members).contractJSON().map { .object([("$values", $0)]) }
        case .arrayContains(let variants): return Pattern.array(variants).contractJSON().map { .object([("$arrayContains", $0)]) }
        case .semver(let example): return .success(.object([("$semver", .string(example))]))
        case .integer64(let written, _): return written.contractJSON()
        case .notEmpty(let pattern): return wrap(pattern) { .object([("$notEmpty", $0)]) }
        }
    }
}

extension Pattern {
    /// The concrete value the mock sends for this pattern: literals as written, matchers' examples.
    public var example: JSONNode {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return JSONNode(.number(n))
        case .string(let s): return .string(s)
        case .array(let elements): return .array(elements.map(\.example))
        case .object(let members):
            return JSONNode(.object(JSONObject(members.map { JSONObject.Member(key: $0.key, value: $0.pattern.example) })))
        case .matcher(let matcher):
            return matcher.rule.example
        }
    }
}

extension MatchRule {
    /// The value the mock sends for this rule.
    public var example: JSONNode {
        switch self {
        case .equals(let node): return node
        case .type(let pattern): return pattern.example
        case .regex(_, let example): return .string(example)
        case .integer(let n), .decimal(let n), .number(let n): return JSONNode(.number(n))
        case .boolean(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .null: return .null
        case .dateTime(_, _, let example): return .string(example)
        case .eachLike(let template, _, _, let count):
            let one = template.example
            return .array(Array(repeating: one, count: count))
        case .include(let s): return .string(s)
        case .allOf(let rules), .anyOf(let rules):
            // Size and child-count checks have no value of their own to send.
            let valued = rules.filter { if case .size = $0 { false } else if case .childCount = $0 { false } else { true } }
            return valued.last?.example ?? .null
        case .childCount, .size: return .object([])
        case .eachKey(_, let example), .eachValue(_, let example): return example
        case .values(let members):
            return JSONNode(.object(JSONObject(members.map { JSONObject.Member(key: $0.key, value: $0.pattern.example) })))
        case .arrayContains(let variants): return .array(variants.map(\.example))
        case .semver(let example): return .string(example)
        case .notEmpty(let pattern): return pattern.example
        case .integer64(let written, _): return written.example
        }
    }

    /// The matcher's name as written in contracts (`$regex`), for messages.
    public var name: String {
        switch self {
        case .equals: "$equals"
        case .type: "$type"
        case .regex: "$regex"
        case .integer: "$integer"
        case .decimal: "$decimal"
        case .number: "$number"
        case .boolean: "$boolean"
        case .string: "$string"
        case .null: "$null"
        case .dateTime(let kind, _, _): "$" + kind.rawValue
        case .eachLike: "$eachLike"
        case .include: "$include"
        case .childCount: "childCount"
        case .size: "size"
        case .eachKey: "$eachKey"
        case .eachValue: "$eachValue"
        case .values: "$values"
        case .arrayContains: "$arrayContains"
        case .semver: "$semver"
        case .integer64(let written, _): written.name
        case .notEmpty: "$notEmpty"
        case .allOf: "$and"
        case .anyOf: "$or"
        }
    }
}

extension Pattern {
    /// How many JSON values `example` holds (every scalar, array and object counts one), without
    /// building it; saturates at `Int.max`. `$eachLike` repeats its template, so nested ones
    /// multiply: the loader bounds this before the mock renders or checks the example.
    public var exampleValueCount: Int {
        switch self {
        case .null, .bool, .number, .string: return 1
        case .array(let elements): return elements.reduce(1) { Self.saturatingAdd($0, $1.exampleValueCount) }
        case .object(let members): return members.reduce(1) { Self.saturatingAdd($0, $1.pattern.exampleValueCount) }
        case .matcher(let matcher): return matcher.rule.exampleValueCount
        }
    }

    static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }
}

extension MatchRule {
    /// `Pattern.exampleValueCount` for the rule's example.
    public var exampleValueCount: Int {
        switch self {
        case .eachLike(let template, _, _, let count):
            let (product, overflow) = template.exampleValueCount.multipliedReportingOverflow(by: count)
            return overflow ? .max : Pattern.saturatingAdd(product, 1)
        case .type(let pattern), .notEmpty(let pattern): return pattern.exampleValueCount
        case .allOf(let rules), .anyOf(let rules): return rules.map(\.exampleValueCount).max() ?? 1
        case .values(let members): return members.reduce(1) { Pattern.saturatingAdd($0, $1.pattern.exampleValueCount) }
        case .arrayContains(let variants): return variants.reduce(1) { Pattern.saturatingAdd($0, $1.exampleValueCount) }
        case .equals(let node), .eachKey(_, let node), .eachValue(_, let node): return node.valueCount
        case .regex, .integer, .decimal, .number, .boolean, .string, .null, .dateTime, .include, .size, .semver, .childCount,
             .integer64:
            return 1
        }
    }
}

extension JSONNode {
    /// How many JSON values this one holds, itself included.
    var valueCount: Int {
        switch value {
        case .null, .bool, .number, .string: 1
        case .array(let elements): elements.reduce(1) { Pattern.saturatingAdd($0, $1.valueCount) }
        case .object(let object): object.members.reduce(1) { Pattern.saturatingAdd($0, $1.value.valueCount) }
        }
    }
}

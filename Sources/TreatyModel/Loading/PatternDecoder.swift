/// Reads values that may hold inline matchers: an object whose key starts with `$` is a matcher
/// (`{"$regex": "^\\d+$", "example": "42"}`); everything else is a literal compared for equality.
struct PatternDecoder {
    let context: LoadContext

    /// Matcher names and the modifier keys each accepts.
    static let matchers: [String: [String]] = [
        "$equals": [], "$type": ["min", "max"], "$eachKey": ["example"], "$eachValue": ["example"], "$values": [],
        "$arrayContains": [], "$semver": [], "$notEmpty": [], "$regex": ["example"], "$integer": [], "$decimal": [], "$number": [],
        "$boolean": [], "$string": [], "$null": [], "$date": ["format"], "$time": ["format"],
        "$datetime": ["format"], "$eachLike": ["min", "max", "examples"], "$include": [], "$and": [], "$or": [],
    ]

    /// The most values an example may hold once `$eachLike`s are repeated.
    static let maximumExampleValues = 10_000_000

    func decode(_ node: JSONNode, _ pointer: JSONPointer) -> Pattern? {
        switch node.value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .array(let elements):
            var out: [Pattern] = []
            for (i, element) in elements.enumerated() {
                guard let p = decode(element, pointer / i) else { return nil }
                out.append(p)
            }
            return .array(out)
        case .object(let object):
            let dollarKeys = object.members.filter { $0.key.hasPrefix("$") }
            if dollarKeys.isEmpty {
                var members: [PatternMember] = []
                var failed = false
                for member in object.members {
                    if let p = decode(member.value, pointer / member.key) {
                        members.append(PatternMember(key: member.key, pattern: p))
                    } else {
                        failed = true
                    }
                }
                return failed ? nil : .object(members)
            }
            return decodeMatcher(node, object, dollarKeys, pointer)
        }
    }

    func decodeMatcher(_ node: JSONNode, _ object: JSONObject, _ dollarKeys: [JSONObject.Member], _ pointer: JSONPointer) -> Pattern? {
        let head = dollarKeys[0]
        guard let ownModifiers = Self.matchers[head.key] else {
            var message = "unknown matcher \"\(head.key)\""
            if let s = Suggestion.closest(to: head.key, in: Self.matchers.keys.sorted()) {
                message += "; did you mean \"\(s)\"?"
            } else {
                message += "; matchers are " + Self.matchers.keys.sorted().joined(separator: ", ")
                    + " (to send a literal key starting with \"$\", wrap the object in {\"$equals\": …})"
            }
            context.error(message, at: head.keyPosition, pointer / head.key)
            return nil
        }
        if dollarKeys.count > 1 {
            context.error("one matcher per value: \"\(head.key)\" and \"\(dollarKeys[1].key)\" are both here; nest them or pick one",
                          at: dollarKeys[1].keyPosition, pointer / dollarKeys[1].key)
            return nil
        }
        guard let reader = ObjectReader(node, pointer, context, what: "a \(head.key) matcher") else { return nil }
        let modifiers = ownModifiers + ["generate"]
        let plain = object.members.filter { !$0.key.hasPrefix("$") && !modifiers.contains($0.key) }
        for member in plain where Suggestion.closest(to: member.key, in: modifiers) == nil {
            let allowed = modifiers.isEmpty ? "no modifiers" : "the modifiers " + modifiers.map { "\"\($0)\"" }.joined(separator: ", ")
            context.error("\"\(member.key)\" cannot stand beside the matcher \"\(head.key)\": a matcher object holds the matcher and \(allowed); "
                          + "to match an object, put matchers on its keys instead",
                          at: member.keyPosition, pointer / member.key)
        }
        if !plain.isEmpty, plain.contains(where: { Suggestion.closest(to: $0.key, in: modifiers) == nil }) { return nil }
        reader.checkKeys([head.key] + modifiers)
        let value = head.value
        let at = head.value.position
        let valuePointer = pointer / head.key
        func wrong(_ expected: String) -> Pattern? {
            context.error("\(head.key) takes \(expected) as its example, found \(value.typeName) \(value.rendered())", at: at, valuePointer)
            return nil
        }
        var generator: Generator?
        if let generate = reader["generate"] {
            switch Generator.parse(generate) {
            case .success(let g): generator = g
            case .failure(let problem):
                context.error(problem.message, at: generate.position, pointer / "generate")
                return nil
            }
            if case .regex(nil)? = generator, head.key != "$regex" {
                context.error("\"generate\": \"regex\" needs a $regex matcher (or {\"regex\": PATTERN})", at: generate.position, pointer / "generate")
                return nil
            }
        }
        func matcher(_ rule: MatchRule) -> Pattern {
            .matcher(Matcher(rule: rule, position: head.keyPosition, pointer: pointer, generator: generator))
        }

        switch head.key {
        case "$equals":
            return matcher(.equals(value))
        case "$type":
            guard let inner = decode(value, valuePointer) else { return nil }
            let min = reader.integer("min", in: 0...1_000_000)
            let max = reader.integer("max", in: 0...1_000_000)
            if let min, let max, max < min {
                context.error("$type \"max\" (\(max)) is smaller than \"min\" (\(min))", at: reader["max"]?.position, pointer / "max")
                return nil
            }
            if min == nil && max == nil { return matcher(.type(inner)) }
            return matcher(.allOf([.type(inner), .size(min: min, max: max)]))
        case "$eachKey":
            guard let key = decodeString(value, valuePointer, what: "$eachKey") else { return nil }
            guard let example = reader.required("example") else { return nil }
            guard example.objectValue != nil else {
                context.error("$eachKey needs an object as its \"example\", found \(example.typeName)", at: example.position, pointer / "example")
                return nil
            }
            return matcher(.eachKey(key, example: example))
        case "$eachValue":
            guard let template = decode(value, valuePointer) else { return nil }
            let example = reader["example"] ?? .object([("key", template.example)])
            guard example.objectValue != nil || example.arrayValue != nil else {
                context.error("$eachValue needs an object or array as its \"example\", found \(example.typeName)", at: example.position,
                              pointer / "example")
                return nil
            }
            return matcher(.eachValue(template, example: example))
        case "$values":
            guard let inner = decode(value, valuePointer), case .object(let members) = inner, !members.isEmpty else {
                context.error("$values takes a non-empty object of example values", at: at, valuePointer)
                return nil
            }
            return matcher(.values(members))
        case "$arrayContains":
            guard let inner = decode(value, valuePointer), case .array(let variants) = inner, !variants.isEmpty else {
                context.error("$arrayContains takes a non-empty array of variants", at: at, valuePointer)
                return nil
            }
            return matcher(.arrayContains(variants))
        case "$semver":
            guard let s = value.stringValue else { return wrong("a string") }
            return matcher(.semver(example: s))
        case "$notEmpty":
            guard let inner = decode(value, valuePointer) else { return nil }
            if let text = inner.example.stringValue, text.isEmpty { return wrong("a non-empty value") }
            if inner.example.arrayValue?.isEmpty == true || inner.example.objectValue?.isEmpty == true { return wrong("a non-empty value") }
            return matcher(.notEmpty(inner))
        case "$regex":
            guard let source = value.stringValue else {
                context.error("$regex takes the regular expression as a string, found \(value.typeName)", at: at, valuePointer)
                return nil
            }
            let regex: RegexPattern
            do {
                regex = try RegexPattern(source)
            } catch {
                context.error("invalid regular expression /\(source)/: \(error.cause ?? "it does not compile")", at: at, valuePointer)
                return nil
            }
            guard let example = reader.string("example", required: true) else { return nil }
            // With a generator the mock sends a generated value; the example only documents.
            if generator == nil, !regex.compiled.matchesWhole(example) {
                context.error("the example \"\(example)\" does not match /\(source)/; the mock would send a value its own contract rejects",
                              at: reader["example"]?.position, pointer / "example")
                return nil
            }
            return matcher(.regex(regex, example: example))
        case "$integer":
            guard let n = value.numberValue else { return wrong("an integer") }
            guard n.isInteger else {
                context.error("$integer example \(n.text) is not written as an integer", at: at, valuePointer)
                return nil
            }
            return matcher(.integer(example: n))
        case "$decimal":
            guard let n = value.numberValue else { return wrong("a decimal number") }
            guard n.isDecimal else {
                context.error("$decimal example \(n.text) is written as an integer; write it with a fraction, such as \(n.text).0",
                              at: at, valuePointer)
                return nil
            }
            return matcher(.decimal(example: n))
        case "$number":
            guard let n = value.numberValue else { return wrong("a number") }
            return matcher(.number(example: n))
        case "$boolean":
            guard let b = value.boolValue else { return wrong("true or false") }
            return matcher(.boolean(example: b))
        case "$string":
            guard let s = value.stringValue else { return wrong("a string") }
            return matcher(.string(example: s))
        case "$null":
            guard value.isNull else { return wrong("null") }
            return matcher(.null)
        case "$include":
            guard let s = value.stringValue else { return wrong("a string") }
            return matcher(.include(s))
        case "$and", "$or":
            guard let list = value.arrayValue, !list.isEmpty else {
                context.error("\(head.key) takes a non-empty array of matchers", at: at, valuePointer)
                return nil
            }
            var rules: [MatchRule] = []
            for (i, element) in list.enumerated() {
                guard let p = decode(element, valuePointer / i) else { return nil }
                guard case .matcher(let m) = p else {
                    context.error("\(head.key) combines matchers; element \(i) is a plain value (use {\"$equals\": …})",
                                  at: element.position, valuePointer / i)
                    return nil
                }
                rules.append(m.rule)
            }
            return matcher(head.key == "$and" ? .allOf(rules) : .anyOf(rules))
        case "$date", "$time", "$datetime":
            let kind = DateTimeKind(rawValue: String(head.key.dropFirst()))!
            guard let example = value.stringValue else { return wrong("a string") }
            let format = reader.string("format")
            if let format, format.isEmpty {
                context.error("\"format\" must not be empty", at: reader["format"]?.position, pointer / "format")
                return nil
            }
            return matcher(.dateTime(kind, format: format, example: example))
        case "$eachLike":
            guard let template = decode(value, valuePointer) else { return nil }
            let min = reader.integer("min", in: 0...1_000_000) ?? 1
            let max = reader.integer("max", in: 0...1_000_000)
            if let max, max < min {
                context.error("$eachLike \"max\" (\(max)) is smaller than \"min\" (\(min))", at: reader["max"]?.position, pointer / "max")
                return nil
            }
            let examples = reader.integer("examples", in: 0...10_000) ?? Swift.min(Swift.max(min, 1), max ?? Int.max)
            if examples < min || (max.map { examples > $0 } ?? false) {
                context.error("$eachLike \"examples\" (\(examples)) must lie between min and max", at: reader["examples"]?.position ?? node.position,
                              pointer / "examples")
                return nil
            }
            // Nested `$eachLike`s multiply (three levels of a million elements is 10¹⁸ values):
            // the mock would render, and the checker walk, every one of them.
            let rule = MatchRule.eachLike(template, min: min, max: max, examples: examples)
            guard rule.exampleValueCount <= Self.maximumExampleValues else {
                context.error("this $eachLike's example would hold more than \(Self.maximumExampleValues) values (\(examples) element(s) of \(template.exampleValueCount)); lower \"examples\" or \"min\" here or in the $eachLike inside",
                              at: reader["examples"]?.position ?? reader["min"]?.position ?? node.position, pointer)
                return nil
            }
            return matcher(rule)
        default:
            return nil
        }
    }

    /// Decodes a value that must stand for a string: a plain string or a string matcher.
    func decodeString(_ node: JSONNode, _ pointer: JSONPointer, what: String) -> Pattern? {
        if node.numberValue != nil || node.boolValue != nil {
            // Header and query values are text on the wire; accept 42 and true as their text.
            return .string(node.rendered())
        }
        guard let pattern = decode(node, pointer) else { return nil }
        guard pattern.example.stringValue != nil else {
            context.error("\(what) must be a string or a matcher with a string example, found \(node.typeName)",
                          at: node.position, pointer)
            return nil
        }
        return pattern
    }
}

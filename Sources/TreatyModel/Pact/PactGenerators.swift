import Foundation

/// Carries a Pact request's or response's `generators` over to Treaty generators on the patterns
/// they point at (the mock runs response generators; the verifier runs request generators, such as
/// provider-state values). What has no Treaty counterpart gets a located warning.
struct PactGenerators {
    let context: LoadContext

    /// Attaches the generators of `object` (a Pact request or response) to its parts; `path` and
    /// `query` are nil for a response.
    func apply(_ object: JSONObject, _ pointer: JSONPointer, body: inout BodySpec?, headers: inout [HeaderSpec],
               path: UnsafeMutablePointer<Pattern>? = nil, query: UnsafeMutablePointer<[HeaderSpec]>? = nil) {
        guard let generators = object.member("generators") else { return }
        guard let categories = generators.value.objectValue else {
            context.warning("\"generators\" must be an object; ignored", at: generators.keyPosition, pointer / "generators")
            return
        }
        for category in categories.members {
            let categoryPointer = pointer / "generators" / category.key
            // The path has one generator, not a map of them.
            if category.key == "path", let path {
                if let generator = convert(category.value, at: category.keyPosition, categoryPointer) {
                    path.pointee = path.pointee.attaching(generator, at: []) ?? path.pointee
                }
                continue
            }
            for entry in category.value.objectValue?.members ?? [] {
                let at = entry.keyPosition, where_ = categoryPointer / entry.key
                guard let generator = convert(entry.value, at: at, where_) else { continue }
                var placed = false
                switch category.key {
                case "body":
                    if case .json(let pattern)? = body, case .success(let path) = PactRulePath.parse(entry.key),
                       let updated = pattern.attaching(generator, at: Array(path.tokens.dropFirst())) {
                        body = .json(updated)
                        placed = true
                    }
                case "header", "headers":
                    if let i = headers.firstIndex(where: { $0.name.lowercased() == entry.key.lowercased() }), let first = headers[i].values.first {
                        headers[i].values[0] = first.attaching(generator, at: []) ?? first
                        placed = true
                    }
                case "query" where query != nil:
                    if let i = query!.pointee.firstIndex(where: { $0.name == entry.key }), let first = query!.pointee[i].values.first {
                        query!.pointee[i].values[0] = first.attaching(generator, at: []) ?? first
                        placed = true
                    }
                default:
                    context.warning("Pact \(category.key) generators are not carried over (body, header, and for requests path and query, are)",
                                    at: at, where_)
                    continue
                }
                if !placed {
                    context.warning("the Pact generator at \"\(entry.key)\" points at nothing in the example; ignored", at: at, where_)
                }
            }
        }
    }

    func convert(_ node: JSONNode, at position: SourcePosition, _ pointer: JSONPointer) -> Generator? {
        let type = node["type"]?.stringValue ?? ""
        func int(_ key: String) -> Int? { node[key]?.numberValue?.intValue }
        switch type {
        case "RandomInt": return .randomInt(min: int("min") ?? 0, max: max(int("min") ?? 0, int("max") ?? 2_147_483_647))
        case "RandomDecimal", "RandomHexadecimal", "RandomString":
            // Bounded as Treaty's own generators are (`Generator.sizes`): a negative count trapped
            // and a huge one exhausted memory on every response.
            let key = type == "RandomString" ? "size" : "digits"
            let count: Int
            if let given = node[key] {
                guard let n = given.numberValue?.intValue, Generator.sizes.contains(n) else {
                    context.warning("the Pact generator \(type) takes \"\(key)\" from \(Generator.sizes.lowerBound) to \(Generator.sizes.upperBound), found \(given.rendered()); not carried over, the mock sends the example",
                                    at: given.position, pointer / key)
                    return nil
                }
                count = n
            } else {
                count = type == "RandomString" ? 20 : 10
            }
            switch type {
            case "RandomDecimal": return .randomDecimal(digits: count)
            case "RandomHexadecimal": return .randomHex(digits: count)
            default: return .randomString(size: count)
            }
        case "Regex": return .regex(node["regex"]?.stringValue)
        case "Uuid": return .uuid
        case "Date", "Time", "DateTime", "Timestamp":
            guard let expression = node["expression"]?.stringValue else { return .now(offsetSeconds: 0) }
            if let offset = Self.offset(expression) { return .now(offsetSeconds: offset) }
        case "ProviderState":
            if let expression = node["expression"]?.stringValue, expression.hasPrefix("${"), expression.hasSuffix("}"),
               !expression.dropFirst(2).dropLast().contains("$") {
                return .fromState(String(expression.dropFirst(2).dropLast()))
            }
            // A template such as "/orders/${id}": the state values filled in.
            if let expression = node["expression"]?.stringValue, expression.contains("${") { return .fromState(expression) }
        case "MockServerURL":
            if let example = node["example"]?.stringValue, let url = URL(string: example) {
                return .mockServerURL(url.path + (url.query.map { "?" + $0 } ?? ""))
            }
        default: break
        }
        context.warning("the Pact generator \(node.rendered()) is not carried over; the mock sends the example", at: position, pointer)
        return nil
    }

    /// `now + 1 day`, `today - 2 hours`, `+3 minutes` → seconds.
    static func offset(_ expression: String) -> Int? {
        let text = expression.lowercased().replacingOccurrences(of: "today", with: "").replacingOccurrences(of: "now", with: "")
            .trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return 0 }
        let units: [String: Int] = ["second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604_800]
        var total = 0
        var sign = 1
        var tokens = text.split(separator: " ").map(String.init)[...]
        while let token = tokens.popFirst() {
            if token == "+" { sign = 1; continue }
            if token == "-" { sign = -1; continue }
            guard let n = Int(token), let unitWord = tokens.popFirst() else { return nil }
            let unit = unitWord.hasSuffix("s") ? String(unitWord.dropLast()) : unitWord
            guard let seconds = units[unit] else { return nil }
            // Checked: `+9223372036854775807 days` trapped.
            let (step, overflow) = n.multipliedReportingOverflow(by: seconds)
            guard !overflow else { return nil }
            total += sign * step
            guard abs(total) <= Generator.maximumOffsetSeconds else { return nil }
        }
        return total
    }
}

extension Pattern {
    /// This pattern with `generator` on the value at `path` (Pact path tokens after `$`), wrapping a
    /// plain value in `$equals` so its meaning is unchanged; nil when the path finds nothing.
    func attaching(_ generator: Generator, at path: [PactRulePath.Token]) -> Pattern? {
        guard let head = path.first else {
            switch self {
            case .matcher(var m):
                m.generator = generator
                return .matcher(m)
            default:
                return .matcher(Matcher(rule: .equals(example), generator: generator))
            }
        }
        let rest = Array(path.dropFirst())
        switch (self, head) {
        case (.object(var members), .field(let key)):
            guard let i = members.firstIndex(where: { $0.key == key }), let updated = members[i].pattern.attaching(generator, at: rest) else { return nil }
            members[i].pattern = updated
            return .object(members)
        case (.array(var elements), .index(let i)) where i < elements.count:
            guard let updated = elements[i].attaching(generator, at: rest) else { return nil }
            elements[i] = updated
            return .array(elements)
        case (.array(var elements), .anyIndex):
            for i in elements.indices { elements[i] = elements[i].attaching(generator, at: rest) ?? elements[i] }
            return .array(elements)
        case (.matcher(var m), _):
            switch m.rule {
            case .eachLike(let template, let min, let max, let examples):
                switch head {
                case .index, .anyIndex:
                    guard let t = template.attaching(generator, at: rest) else { return nil }
                    m.rule = .eachLike(t, min: min, max: max, examples: examples)
                    return .matcher(m)
                default:
                    return nil
                }
            case .type(let inner):
                guard let t = inner.attaching(generator, at: path) else { return nil }
                m.rule = .type(t)
                return .matcher(m)
            default:
                return nil
            }
        default:
            return nil
        }
    }
}

/// Matching rules of a Pact file, by category (`body`, `header`, `query`, `path`, `status`), each
/// a list of rule paths with their matchers.
public struct PactMatchingRules: Sendable {
    public struct Entry: Sendable {
        public var path: PactRulePath
        public var matchers: [JSONObject]
        /// `AND` (default) or `OR`.
        public var combine: String
        public var position: SourcePosition
        public var pointer: JSONPointer
        /// Set once the builder applies the entry, so rules that point at nothing can be reported.
        public var used = false
    }

    public var categories: [String: [Entry]] = [:]

    public init() {}

    /// The entries of `category` whose path matches `path` exactly, most specific first.
    public func best(_ category: String, at path: [PactRulePath.Token], stripping: Bool = false) -> Entry? {
        var best: (Entry, Int)?
        for entry in categories[category] ?? [] {
            let rulePath = stripping ? entry.path.tokens.filter { $0 != .anyIndex && !$0.isIndex } : entry.path.tokens
            let w = PactRulePath(tokens: rulePath, text: entry.path.text).weight(against: path)
            if w > 0, best == nil || w >= best!.1 { best = (entry, w) }
        }
        return best?.0
    }

    /// Reads V2 (`{"$.body.x": {"match": "type"}}`) or V3/V4 (`{"body": {"$.x": {"matchers": [...]}}}`) rules.
    static func read(_ node: JSONNode, _ pointer: JSONPointer, _ context: LoadContext) -> PactMatchingRules {
        var rules = PactMatchingRules()
        guard let object = node.objectValue else {
            context.warning("\"matchingRules\" must be an object, found \(node.typeName); ignored", at: node.position, pointer)
            return rules
        }
        for member in object.members {
            let memberPointer = pointer / member.key
            if member.key.hasPrefix("$") {
                // V2: category inside the path.
                readV2(member, memberPointer, context, into: &rules)
                continue
            }
            let category = member.key == "headers" ? "header" : member.key
            guard let entries = member.value.objectValue else {
                context.warning("matching rules for \"\(member.key)\" must be an object; ignored", at: member.value.position, memberPointer)
                continue
            }
            if entries["matchers"] != nil {
                // V3 `path` (and V4 `status`) rules have no sub-paths.
                add(category, "$", member.value, memberPointer, context, into: &rules, at: member.keyPosition)
                continue
            }
            for entry in entries.members {
                add(category, entry.key, entry.value, memberPointer / entry.key, context, into: &rules, at: entry.keyPosition)
            }
        }
        return rules
    }

    static func readV2(_ member: JSONObject.Member, _ pointer: JSONPointer, _ context: LoadContext, into rules: inout PactMatchingRules) {
        let key = member.key
        let categories = [("$.body", "body"), ("$.headers", "header"), ("$.header", "header"), ("$.query", "query"), ("$.path", "path")]
        for (prefix, category) in categories where key == prefix || key.hasPrefix(prefix + ".") || key.hasPrefix(prefix + "[") {
            var rest = String(key.dropFirst(prefix.count))
            if category == "header" || category == "query" {
                // `$.headers.Accept` and `$.query.name`: the name is the rest.
                if rest.hasPrefix(".") { rest.removeFirst() }
                if rest.hasPrefix("['"), rest.hasSuffix("']") { rest = String(rest.dropFirst(2).dropLast(2)) }
                add(category, rest.isEmpty ? "$" : rest, member.value, pointer, context, into: &rules, single: true, at: member.keyPosition)
            } else {
                add(category, "$" + rest, member.value, pointer, context, into: &rules, single: true, at: member.keyPosition)
            }
            return
        }
        context.warning("matching rule path \"\(key)\" names no part of the request or response ($.body, $.headers, $.query, $.path); ignored",
                        at: member.keyPosition, pointer)
    }

    static func add(
        _ category: String, _ path: String, _ node: JSONNode, _ pointer: JSONPointer, _ context: LoadContext,
        into rules: inout PactMatchingRules, single: Bool = false, at keyPosition: SourcePosition
    ) {
        guard let object = node.objectValue else {
            context.warning("matching rule at \"\(path)\" must be an object; ignored", at: node.position, pointer)
            return
        }
        let parsed: PactRulePath
        switch PactRulePath.parse(path) {
        case .success(let p): parsed = p
        case .failure(let error):
            context.warning("matching rule path: \(error.message); ignored", at: node.position, pointer)
            return
        }
        var matchers: [JSONObject] = []
        var combine = "AND"
        if single {
            matchers = [object]
        } else if let list = object["matchers"]?.arrayValue {
            matchers = list.compactMap(\.objectValue)
            combine = object["combine"]?.stringValue?.uppercased() ?? "AND"
        } else {
            matchers = [object]
        }
        rules.categories[category, default: []].append(
            Entry(path: parsed, matchers: matchers, combine: combine, position: keyPosition, pointer: pointer))
    }
}

extension PactRulePath.Token {
    var isIndex: Bool { if case .index = self { true } else { false } }
}

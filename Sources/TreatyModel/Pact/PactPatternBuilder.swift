/// Turns a Pact example plus its path-based matching rules into Treaty's inline pattern: each value
/// that a rule's path selects (the most specific path wins, as in Pact) becomes a matcher around
/// that value. Rules that select nothing in the example get a warning.
struct PactPatternBuilder {
    let category: String
    let rules: PactMatchingRules
    let context: LoadContext
    let pointer: JSONPointer
    /// Paths of the entries applied, for the "points at nothing" check.
    let used: UsedRules
    /// XML bodies: rule paths name elements without indexes (`$.animals.alligator['@name']`).
    var xml = false

    final class UsedRules {
        var paths = Set<String>()
    }

    func build(_ node: JSONNode, _ path: [PactRulePath.Token] = [.root]) -> Pattern {
        if xml { return buildXML(node, path) }
        if let entry = rules.best(category, at: path) {
            used.paths.insert(category + " " + entry.path.text)
            return apply(entry, node, path)
        }
        return structural(node, path)
    }

    func structural(_ node: JSONNode, _ path: [PactRulePath.Token]) -> Pattern {
        switch node.value {
        case .array(let elements):
            return .array(elements.enumerated().map { build($0.element, path + [.index($0.offset)]) })
        case .object(let object):
            return .object(object.members.map { PatternMember(key: $0.key, pattern: build($0.value, path + [.field($0.key)])) })
        default:
            return Pattern(literal: node)
        }
    }

    func apply(_ entry: PactMatchingRules.Entry, _ node: JSONNode, _ path: [PactRulePath.Token]) -> Pattern {
        let converted = entry.matchers.compactMap { convert($0, node, path, entry) }
        guard !converted.isEmpty else { return structural(node, path) }
        if converted.count == 1 { return .matcher(Matcher(rule: converted[0], position: entry.position, pointer: entry.pointer)) }
        let combined: MatchRule = entry.combine == "OR" ? .anyOf(converted) : .allOf(converted)
        return .matcher(Matcher(rule: combined, position: entry.position, pointer: entry.pointer))
    }

    func convert(_ matcher: JSONObject, _ node: JSONNode, _ path: [PactRulePath.Token], _ entry: PactMatchingRules.Entry) -> MatchRule? {
        let min = matcher["min"]?.numberValue?.intValue
        let max = matcher["max"]?.numberValue?.intValue
        var kind = matcher["match"]?.stringValue
        if kind == nil {
            if min != nil || max != nil { kind = "type" } else if matcher["regex"] != nil { kind = "regex" }
        }
        let text = node.scalarText
        switch kind ?? "" {
        case "type", "min", "max", "minmax", "minType", "maxType", "minmaxType":
            if case .array(let elements) = node.value, min != nil || max != nil {
                let template = elements.first.map { build($0, path + [.index(0)]) }
                guard let template else { return .type(structural(node, path)) }
                return .eachLike(template, min: min ?? 0, max: max, examples: elements.count)
            }
            return .type(structural(node, path))
        case "regex":
            guard let source = matcher["regex"]?.stringValue else {
                context.warning("regex matching rule at \(entry.path) has no \"regex\"; compared for equality", at: entry.position, entry.pointer)
                return nil
            }
            do {
                return .regex(try RegexPattern(source), example: text ?? node.rendered())
            } catch {
                context.error("invalid regular expression /\(source)/ in the matching rule at \(entry.path): \(error.cause ?? "")",
                              at: entry.position, entry.pointer)
                return nil
            }
        case "equality": return .equals(node)
        case "values":
            guard case .object(let members) = structural(node, path), !members.isEmpty else { return .type(structural(node, path)) }
            return .values(members)
        case "eachKey", "eachValue":
            let inner = (matcher["rules"]?.arrayValue ?? []).compactMap(\.objectValue)
            if kind == "eachKey" {
                let firstKey = node.objectValue?.members.first?.key ?? ""
                let rules = inner.compactMap { convert($0, .string(firstKey), path, entry) }
                let key: Pattern = rules.isEmpty ? .matcher(Matcher(rule: .string(example: firstKey))) : .matcher(Matcher(rule: rules.count == 1 ? rules[0] : .allOf(rules)))
                return .eachKey(key, example: node)
            }
            let firstValue = node.objectValue?.members.first?.value ?? node.arrayValue?.first ?? .null
            let rules = inner.compactMap { convert($0, firstValue, path, entry) }
            let template: Pattern = rules.isEmpty ? Pattern(literal: firstValue) : .matcher(Matcher(rule: rules.count == 1 ? rules[0] : .allOf(rules)))
            return .eachValue(template, example: node)
        case "arrayContains":
            let elements = node.arrayValue ?? []
            var variants: [Pattern] = []
            for (n, variant) in (matcher["variants"]?.arrayValue ?? []).enumerated() {
                let index = variant["index"]?.numberValue?.intValue ?? variants.count
                // A negative index trapped here; one past the example is as wrong.
                guard elements.indices.contains(index) else {
                    context.warning("arrayContains variant \(n) has \"index\" \(variant["index"]?.rendered() ?? String(index)), but the example has \(elements.count) element(s); ignored",
                                    at: variant["index"]?.position ?? entry.position, entry.pointer)
                    continue
                }
                var variantRules = PactMatchingRules()
                if let rules = variant["rules"] {
                    variantRules = PactMatchingRules.read(.object([("body", rules)]), entry.pointer, context)
                }
                let sub = PactPatternBuilder(category: "body", rules: variantRules, context: context, pointer: pointer, used: UsedRules())
                variants.append(sub.build(elements[index]))
            }
            if variants.isEmpty { variants = elements.map(Pattern.init(literal:)) }
            return .arrayContains(variants)
        case "semver": return .semver(example: text ?? "")
        case "notEmpty": return .notEmpty(structural(node, path))
        case "include":
            return .include(matcher["value"]?.stringValue ?? text ?? "")
        case "integer": return .integer(example: node.numberValue ?? JSONNumber(0))
        case "decimal": return .decimal(example: node.numberValue ?? JSONNumber(text: "0.0"))
        case "number": return .number(example: node.numberValue ?? JSONNumber(0))
        case "boolean": return .boolean(example: node.boolValue ?? (text == "true"))
        case "null": return .null
        case "date", "time", "timestamp", "datetime":
            let k: DateTimeKind = kind == "date" ? .date : kind == "time" ? .time : .datetime
            let format = matcher["format"]?.stringValue ?? matcher[kind!]?.stringValue
            return .dateTime(k, format: format, example: text ?? "")
        default:
            context.warning("matching rule \"\(kind ?? "(none)")\" at \(entry.path) is not supported; the value is compared for equality",
                            at: entry.position, entry.pointer)
            return nil
        }
    }

    /// XML shape: element objects take the rules at their element path; groups of same-named
    /// children never do (their elements do); value rules apply to the element's `#text`.
    func buildXML(_ node: JSONNode, _ path: [PactRulePath.Token]) -> Pattern {
        switch node.value {
        case .array(let elements):
            return .array(elements.map { buildXML($0, path) })
        case .object(let object):
            let isElement = path.count > 1 && !(path.last.map { if case .field(let n) = $0 { n.hasPrefix("@") || n == "#text" } else { false } } ?? false)
            let structure = Pattern.object(object.members.map { member in
                PatternMember(key: member.key, pattern: buildXML(member.value, path + [.field(member.key)]))
            })
            guard isElement, let entry = rules.best(category, at: Self.stripIndexes(path), stripping: true) else { return structure }
            used.paths.insert(category + " " + entry.path.text)
            var rules: [MatchRule] = []
            for matcher in entry.matchers {
                let min = matcher["min"]?.numberValue?.intValue
                let max = matcher["max"]?.numberValue?.intValue
                let kind = matcher["match"]?.stringValue ?? (min != nil || max != nil ? "type" : matcher["regex"] != nil ? "regex" : "")
                if kind == "type" || kind.hasSuffix("Type") || kind == "min" || kind == "max" {
                    if min != nil || max != nil { rules.append(.childCount(min: min ?? 0, max: max)) }
                    rules.append(.type(structure))
                } else if let rule = convert(matcher, object["#text"] ?? .string(""), path + [.field("#text")], entry) {
                    // A value rule on an element tests its text.
                    var members = object.members.filter { $0.key != "#text" }.map {
                        PatternMember(key: $0.key, pattern: buildXML($0.value, path + [.field($0.key)]))
                    }
                    members.append(PatternMember(key: "#text", pattern: .matcher(Matcher(rule: rule, position: entry.position, pointer: entry.pointer))))
                    return .object(members)
                }
            }
            if rules.isEmpty { return structure }
            let rule: MatchRule = rules.count == 1 ? rules[0] : .allOf(rules)
            return .matcher(Matcher(rule: rule, position: entry.position, pointer: entry.pointer))
        default:
            if let entry = rules.best(category, at: Self.stripIndexes(path), stripping: true) {
                used.paths.insert(category + " " + entry.path.text)
                return apply(entry, node, path)
            }
            return Pattern(literal: node)
        }
    }

    static func stripIndexes(_ path: [PactRulePath.Token]) -> [PactRulePath.Token] {
        path.filter { if case .index = $0 { false } else { true } }
    }

}

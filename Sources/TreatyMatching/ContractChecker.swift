import TreatyModel

/// Checks a loaded contract for problems the loader cannot see alone: examples that do not satisfy
/// their own matchers (for instance a date example in another format), so the mock never sends
/// what its contract rejects.
public enum ContractChecker {
    public static func check(_ contract: Contract) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for interaction in contract.interactions {
            guard let http = interaction.http else { continue }
            var patterns: [Pattern] = [http.request.path]
            patterns += http.request.query.flatMap(\.values) + http.request.headers.flatMap(\.values)
            let responses = http.sequence?.responses ?? [http.response]
            patterns += responses.flatMap { $0.headers.flatMap(\.values) }
            for body in [http.request.body] + responses.map(\.body) {
                if case .json(let p)? = body { patterns.append(p) }
                if case .text(let p)? = body { patterns.append(p) }
            }
            for pattern in patterns {
                visitMatchers(pattern) { matcher in
                    // With a generator the mock sends a generated value, not the example.
                    if matcher.generator != nil { return }
                    let mismatches = ValueMatcher(allowUnexpectedKeys: true).match(.matcher(matcher), matcher.rule.example)
                    if let first = mismatches.first {
                        // Pact files are accepted as their tools wrote them: a warning there, an error in Treaty contracts.
                        out.append(Diagnostic(contract.origin == .treaty ? .error : .warning,
                                              "in interaction \"\(interaction.name)\": the example of \(matcher.rule.name) does not satisfy it: \(first.message)",
                                              file: contract.file, position: matcher.position, pointer: matcher.pointer))
                    }
                }
            }
        }
        return out
    }

    static func visitMatchers(_ pattern: Pattern, _ visit: (Matcher) -> Void) {
        switch pattern {
        case .null, .bool, .number, .string: return
        case .array(let elements): elements.forEach { visitMatchers($0, visit) }
        case .object(let members): members.forEach { visitMatchers($0.pattern, visit) }
        case .matcher(let matcher):
            visit(matcher)
            switch matcher.rule {
            case .type(let inner), .eachLike(let inner, _, _, _), .eachValue(let inner, _), .notEmpty(let inner), .eachKey(let inner, _):
                visitMatchers(inner, visit)
            case .values(let members): members.forEach { visitMatchers($0.pattern, visit) }
            case .arrayContains(let variants): variants.forEach { visitMatchers($0, visit) }
            default: return
            }
        }
    }
}

import TreatyModel

/// Checks a loaded contract for problems the loader cannot see alone: examples that do not satisfy
/// their own matchers (for instance a date example in another format), so the mock never sends
/// what its contract rejects.
public enum ContractChecker {
    public static func check(_ contract: Contract) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for interaction in contract.interactions {
            let http: HTTPInteraction
            switch interaction.kind {
            case .http(let exchange): http = exchange
            case .tcp(let tcp):
                out += checkTerminators(tcp, interaction: interaction.name, contract: contract)
                continue
            // Their examples are checked as they are decoded (SSE data, gRPC messages against the
            // descriptors, raw payloads), or not yet.
            case .sse, .longPoll, .websocket, .jsonrpc, .grpc, .udp, .message, .synchronousMessage: continue
            }
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

    /// A step read `until` a line matches must have an example that ends there: its last line
    /// matches and no line before it does (or the receiver would cut the message short).
    static func checkTerminators(_ tcp: TCPInteraction, interaction: String, contract: Contract) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for step in tcp.conversation {
            guard let until = step.until, case .line = tcp.framing else { continue }
            let lines = tcp.framing.lines(of: step.payload.exampleBytes)
            let problem: String
            if let early = lines.dropLast().firstIndex(where: { SocketMatching.endsMessage($0, until) }) {
                problem = "line \(early + 1) of the example, \(SocketText.preview(lines[early], limit: 60)), matches \"until\", so the message would end there, "
                    + "before its \(lines.count) lines"
            } else if !SocketMatching.endsMessage(lines[lines.count - 1], until) {
                problem = "the example's last line, \(SocketText.preview(lines[lines.count - 1], limit: 60)), does not match \"until\", so the message would not end"
            } else {
                continue
            }
            out.append(Diagnostic(.error, "in interaction \"\(interaction)\": \(problem)", file: contract.file, position: step.position, pointer: step.pointer / "until"))
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

/// Writes a contract in Treaty's format (used by `treaty import pact`). What the format cannot
/// express is left out with a diagnostic located at the interaction it came from.
public enum ContractWriter {
    public struct Output: Sendable {
        public var document: JSONNode
        public var diagnostics: [Diagnostic]
        public var interactionsWritten: Int
    }

    public static func write(_ contract: Contract, description: String? = nil) -> Output {
        var diagnostics: [Diagnostic] = []
        var interactions: [JSONNode] = []
        func warn(_ interaction: Interaction, _ message: String) {
            diagnostics.append(Diagnostic(.warning, "interaction \"\(interaction.name)\": \(message)", file: contract.file,
                                          position: interaction.position, pointer: interaction.pointer))
        }
        for interaction in contract.interactions {
            let http: HTTPInteraction
            switch interaction.kind {
            case .http(let exchange):
                http = exchange
            case .message, .synchronousMessage, .sse, .longPoll, .websocket, .jsonrpc, .grpc, .tcp, .udp:
                warn(interaction, "\(interaction.kind.name.displayName) interactions are not carried over by the import yet; "
                     + "serve and verify the Pact file as it is")
                continue
            }
            var members: [(String, JSONNode)] = [("name", .string(interaction.name))]
            if let description = interaction.description { members.append(("description", .string(description))) }
            if !interaction.states.isEmpty {
                members.append(("given", .array(interaction.states.map { state in
                    state.params.isEmpty ? .object([("state", .string(state.name))])
                        : .object([("state", .string(state.name)), ("params", JSONNode(.object(state.params)))])
                })))
            }
            var request: [(String, JSONNode)] = [("method", .string(http.request.method))]
            request.append(("path", render(http.request.path, interaction, "path", warn)))
            if !http.request.query.isEmpty { request.append(("query", named(http.request.query, interaction, warn))) }
            var requestHeaders = http.request.headers
            if case .xml? = http.request.body, requestHeaders.first(named: "Content-Type") == nil {
                requestHeaders.append(HeaderSpec("Content-Type", "application/xml"))
            }
            if !requestHeaders.isEmpty { request.append(("headers", named(requestHeaders, interaction, warn))) }
            if let body = body(http.request.body, interaction, warn) { request.append(("body", body)) }
            var response: [(String, JSONNode)] = [("status", status(http.response))]
            var responseHeaders = http.response.headers
            if case .xml? = http.response.body, responseHeaders.first(named: "Content-Type") == nil {
                // Without it the Treaty loader would read the XML as plain text.
                responseHeaders.append(HeaderSpec("Content-Type", "application/xml"))
            }
            if !responseHeaders.isEmpty { response.append(("headers", named(responseHeaders, interaction, warn))) }
            if let body = body(http.response.body, interaction, warn) { response.append(("body", body)) }
            members.append(("http", .object([("request", .object(request)), ("response", .object(response))])))
            interactions.append(.object(members))
        }
        var top: [(String, JSONNode)] = [
            ("$schema", .string("../Schemas/treaty-contract-v1.schema.json")), ("treaty", .number(1)),
            ("consumer", .string(contract.consumer)), ("provider", .string(contract.provider)),
        ]
        if let description { top.append(("description", .string(description))) }
        top.append(("interactions", .array(interactions)))
        return Output(document: .object(top), diagnostics: diagnostics, interactionsWritten: interactions.count)
    }

    typealias Warn = (Interaction, String) -> Void

    static func status(_ response: HTTPResponseSpec) -> JSONNode {
        guard let rule = response.statusRule else { return .number(response.status) }
        var seen = Set<String>()
        let items: [JSONNode] = rule.items.compactMap { item in
            switch item {
            case .code(let c): return seen.insert(String(c)).inserted ? .number(c) : nil
            case .range(let name, _): return seen.insert(name).inserted ? .string(name) : nil
            }
        }
        return .object([("$statusCode", items.count == 1 ? items[0] : .array(items)), ("example", .number(response.status))])
    }

    static func render(_ pattern: Pattern, _ interaction: Interaction, _ what: String, _ warn: Warn) -> JSONNode {
        switch pattern.contractJSON() {
        case .success(let node): return node
        case .failure(let reason):
            warn(interaction, "the \(reason.rule) rule on the \(what) is not carried over; the example is compared exactly")
            return pattern.example
        }
    }

    static func named(_ specs: [HeaderSpec], _ interaction: Interaction, _ warn: Warn) -> JSONNode {
        .object(specs.map { spec in
            let values = spec.values.map { render($0, interaction, spec.name, warn) }
            return (spec.name, values.count == 1 ? values[0] : .array(values))
        })
    }

    static func body(_ spec: BodySpec?, _ interaction: Interaction, _ warn: Warn) -> JSONNode? {
        guard let spec else { return nil }
        switch spec {
        case .json(let pattern), .text(let pattern):
            return render(pattern, interaction, "body", warn)
        case .xml(let pattern, let source):
            if !pattern.isLiteral {
                warn(interaction, "XML matching rules are not carried over (the inline syntax has no XML matchers yet); the XML body is compared by structure")
            }
            return .string(String(decoding: source, as: UTF8.self))
        case .form(let fields):
            return named(fields, interaction, warn)
        case .multipart, .contentType:
            warn(interaction, "multipart and content-type-compared bodies are not carried over by import yet; add them with \"multipart\" or \"bodyFile\" + \"compare\"")
            return nil
        case .bytes(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                warn(interaction, "a binary body (\(bytes.count) bytes) is not carried over; save it as a file and point \"bodyFile\" at it")
                return nil
            }
            return .string(text)
        }
    }
}

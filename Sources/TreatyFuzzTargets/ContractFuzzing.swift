import TreatyMatching
import TreatyMock
import TreatyModel

/// The json and pact targets: what happens to a contract file from its bytes to a mock ready to
/// answer (parse, load, check, prepare the responder, match each interaction's own examples).
enum ContractFuzzing {
    static func json(_ bytes: [UInt8]) {
        if let document = try? JSONParser.parse(bytes) {
            // What the renderer writes must read back and render the same (reports and the admin
            // API hand rendered JSON to other tools).
            let text = document.root.rendered()
            guard let again = try? JSONParser.parse(Array(text.utf8)) else {
                fatalError("rendered JSON does not parse again: \(text.prefix(300))")
            }
            guard again.root.rendered() == text else {
                fatalError("rendering JSON twice differs: \(text.prefix(300)) / \(again.root.rendered().prefix(300))")
            }
            _ = document.root.rendered(pretty: true)
        }
        load(bytes)
    }

    /// Loads like `treaty lint` and `treaty mock` do (no file references: nothing is read from
    /// disk), then runs what a loaded contract goes through.
    static func load(_ bytes: [UInt8]) {
        let result = ContractLoader().load(bytes, file: "fuzz.json")
        for diagnostic in result.diagnostics { _ = diagnostic.description }
        guard let contract = result.contract else { return }
        _ = ContractChecker.check(contract)
        exercise(contract)
    }

    /// Prepares the mock's responder, then sends each HTTP interaction's example request to it and
    /// matches the examples against their own specs.
    static func exercise(_ contract: Contract) {
        let responder = MockResponder(contract: contract)
        for interaction in contract.interactions {
            guard case .http(let http) = interaction.kind else { continue }
            let request = exampleRequest(http.request)
            _ = RequestMatcher.match(request, http.request)
            _ = responder.respond(to: request, baseURL: "http://127.0.0.1:1")
            for response in http.sequence?.responses ?? [http.response] {
                let example = HTTPResponseData(status: response.status, headers: examples(response.headers),
                                               body: response.body?.exampleBytes ?? [])
                _ = ResponseMatcher.match(example, response)
            }
        }
    }

    static func exampleRequest(_ spec: HTTPRequestSpec) -> HTTPRequestData {
        let query = examples(spec.query).map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        return HTTPRequestData(method: spec.method, path: text(spec.path.example), query: query,
                               headers: examples(spec.headers), body: spec.body?.exampleBytes ?? [])
    }

    static func examples(_ specs: [HeaderSpec]) -> [(name: String, value: String)] {
        specs.map { ($0.name, $0.values.map { text($0.example) }.joined(separator: ", ")) }
    }

    static func text(_ node: JSONNode) -> String { node.stringValue ?? node.rendered() }
}

import TreatyMatching
import TreatyModel

/// Provider states: one POST to `--state-url` per state, set up in order before the exchange and
/// torn down in reverse after it (always, after a failure or an error too).
extension InteractionRun {
    /// Sets up or tears down `state`; `then` gets the failure in words, or the values of a JSON
    /// object answer (for `{"fromState": NAME}` generators).
    private func stateCall(_ state: ProviderState, action: String, then: @escaping (String?, JSONObject?) -> Void) {
        guard let stateURL = options.stateURL else { return then(nil, nil) }
        let body = JSONNode.object([
            ("state", .string(state.name)), ("params", JSONNode(.object(state.params))), ("action", .string(action)),
        ])
        let request = HTTPRequestData(method: "POST", path: "", headers: [("Content-Type", "application/json")] + options.extraHeaders,
                                      body: body.renderedBytes())
        log.line("# state \(action): \(state.name) \(JSONNode(.object(state.params)).rendered())")
        multi.start(request, to: stateURL) { result, _ in
            switch result {
            case .success(let response) where (200..<300).contains(response.status):
                // A JSON object in the answer holds values for the request (`{"fromState": NAME}` generators).
                then(nil, (try? JSONParser.parse(response.body).root)?.objectValue)
            case .success(let response):
                let text = String(decoding: response.body.prefix(2000), as: UTF8.self)
                then("provider state \"\(state.name)\" \(action) failed: \(stateURL) answered \(response.status)"
                     + (text.isEmpty ? "" : ": \(text)"), nil)
            case .failure(let error):
                then("provider state \"\(state.name)\" \(action) failed: \(error.message). \(error.advice)", nil)
            }
        }
    }

    /// Sets up the states from `index` on, then sends the exchange.
    func setUp(_ index: Int) {
        guard index < interaction.states.count else { return send() }
        stateCall(interaction.states[index], action: "setup") { [self] failure, values in
            if let failure { return fail(.stateSetup(failure)) }
            if let values {
                for member in values.members {
                    stateValues.members.removeAll { $0.key == member.key }
                    stateValues.members.append(JSONObject.Member(key: member.key, value: member.value))
                }
                if !values.members.isEmpty { log.line("# state values: \(JSONNode(.object(values)).rendered())") }
            }
            setUp(index + 1)
        }
    }

    /// Tears the states down in reverse order, then completes the interaction.
    func tearDown() {
        guard options.stateURL != nil, !interaction.states.isEmpty else { return complete() }
        tearDown(interaction.states.count - 1)
    }

    private func tearDown(_ index: Int) {
        guard index >= 0 else { return complete() }
        stateCall(interaction.states[index], action: "teardown") { [self] failure, _ in
            if let failure { log.line("# \(failure)") }
            tearDown(index - 1)
        }
    }
}

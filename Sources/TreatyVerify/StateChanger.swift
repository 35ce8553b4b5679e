import TreatyMatching
import TreatyModel

/// Calls the provider's state endpoint (`--state-url`) before and after an interaction, with the
/// body Pact's verifier uses: `{"state": NAME, "params": {...}, "action": "setup"|"teardown"}`.
struct StateChanger {
    let url: String?
    let client: CurlHTTPClient

    /// Sets up each state in order; returns a message for the first failure.
    func setUp(_ states: [ProviderState], log: inout ExchangeLog) -> String? {
        guard !states.isEmpty else { return nil }
        guard let url else {
            log.line("# states \(states.map { "\"\($0.name)\"" }.joined(separator: ", ")) not set up: no --state-url given")
            return nil
        }
        for state in states {
            if let failure = call(state, action: "setup", url: url, log: &log) { return failure }
        }
        return nil
    }

    /// Tears states down in reverse order; failures are logged, not fatal.
    func tearDown(_ states: [ProviderState], log: inout ExchangeLog) {
        guard let url else { return }
        for state in states.reversed() {
            if let failure = call(state, action: "teardown", url: url, log: &log) { log.line("# \(failure)") }
        }
    }

    private func call(_ state: ProviderState, action: String, url: String, log: inout ExchangeLog) -> String? {
        let body = JSONNode.object([
            ("state", .string(state.name)), ("params", JSONNode(.object(state.params))), ("action", .string(action)),
        ])
        let request = HTTPRequestData(method: "POST", path: "", headers: [("Content-Type", "application/json")],
                                      body: body.renderedBytes())
        log.line("# state \(action): \(state.name) \(JSONNode(.object(state.params)).rendered())")
        do {
            let response = try client.send(request, to: url)
            guard (200..<300).contains(response.status) else {
                let text = String(decoding: response.body.prefix(1000), as: UTF8.self)
                return "provider state \"\(state.name)\" \(action) failed: \(url) answered \(response.status)"
                    + (text.isEmpty ? "" : ": \(text)")
            }
            return nil
        } catch {
            return "provider state \"\(state.name)\" \(action) failed: \(error.message). \(error.advice)"
        }
    }
}

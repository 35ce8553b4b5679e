import TreatyMatching
import TreatyModel

/// A `jsonrpc` interaction: POST `{"jsonrpc": "2.0", "method", "params", "id"}` to the endpoint (no
/// id for a notification), or send it as a text frame over a WebSocket; the answer's id, result or
/// error object are judged by `JSONRPC.judge`.
extension InteractionRun {
    func jsonRPCExchange(_ call: JSONRPCInteraction) {
        let generator = self.generator(for: HTTPRequestData(method: "POST", target: "/"))
        let id: Int? = call.notification ? nil : order + 1
        var members: [(String, JSONNode)] = [("jsonrpc", .string("2.0")), ("method", .string(call.method))]
        if let params = call.params { members.append(("params", generator.render(params))) }
        if let id { members.append(("id", .number(id))) }
        var headers: [(name: String, value: String)] = call.headers.map { ($0.name, $0.values.compactMap { $0.example.stringValue }.joined(separator: ", ")) }
        if !headers.contains(where: { $0.name.caseInsensitiveEquals("Content-Type") }) { headers.append(("Content-Type", "application/json")) }
        for extra in options.extraHeaders {
            headers.removeAll { $0.name.caseInsensitiveEquals(extra.name) }
            headers.append(extra)
        }
        let request = HTTPRequestData(method: "POST", path: call.path, headers: headers, body: JSONNode.object(members).renderedBytes())
        let target = RequestBuilder.url(base: baseURL, request: request)
        if call.transport == .websocket { return overWebSocket(call, request, id: id) }
        log.request(request, url: target)
        multi.start(request, to: target) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.response(response, seconds: seconds)
                conclude(.judged(JSONRPC.judge(status: response.status, body: response.body, id: id, spec: call)))
            case .failure(let error):
                conclude(.failed(.transport(error)))
            }
        }
    }

    /// JSON-RPC over a WebSocket: the call as a text frame on a socket opened at the endpoint's path,
    /// on a thread of its own like a conversation; `tick` picks up the judged answer.
    private func overWebSocket(_ call: JSONRPCInteraction, _ request: HTTPRequestData, id: Int?) {
        let transport = options.transport
        let upgrade = HTTPRequestData(method: "GET", path: call.path, headers: request.headers.filter { !$0.name.caseInsensitiveEquals("Content-Type") })
        let text = String(decoding: request.body, as: UTF8.self)
        onSocketThread { client in
            client.exchange(upgrade, text: text, expectAnswer: id != nil, options: transport).map { exchange in
                switch exchange {
                case .answer(let answer): JSONRPC.judge(status: answer == nil ? 204 : 200, body: answer ?? [], id: id, spec: call)
                case .mismatches(let mismatches): mismatches
                }
            }
        }
    }
}

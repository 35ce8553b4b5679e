import NIOHTTP1
import TreatyMatching
import TreatyModel

/// Where an HTTP request goes, decided from the request alone: the first thing the handler does,
/// and the only place that knows the mock's own endpoints. The handler then acts on it in one
/// switch.
enum MockRoute {
    /// A CORS preflight, answered by the policy (`--cors`).
    case preflight(method: String)
    /// `GET /_treaty/messages`: a message subscriber (event stream, or WebSocket with `Upgrade`).
    case subscribe
    /// `POST /_treaty/messages/produce`: the mock as a Pact-style message producer.
    case produce
    /// A WebSocket opened on a JSON-RPC endpoint whose calls come as text frames.
    case jsonRPCSocket([JSONRPC.Call], key: String)
    /// A JSON-RPC call (or batch) POSTed to an endpoint.
    case jsonRPC([JSONRPC.Call])
    /// Everything else: matched against the contract's interactions.
    case interaction

    static func of(_ head: HTTPRequestHead, responder: MockResponder, cors: Bool, hub: Bool) -> MockRoute {
        if cors, head.method == .OPTIONS, let method = head.headers.first(name: "Access-Control-Request-Method") {
            return .preflight(method: method)
        }
        if hub, head.method == .GET, head.uri.hasPrefix(MessageHub.path),
           HTTPRequestData(method: "GET", target: head.uri).path == MessageHub.path {
            return .subscribe
        }
        if head.method == .POST, head.uri == MessageHub.path + "/produce" { return .produce }
        if head.method == .GET, !responder.rpcSocketCalls.isEmpty,
           let calls = responder.rpcSocketCalls[HTTPRequestData(method: "GET", target: head.uri).path],
           let key = head.headers.first(name: "Sec-WebSocket-Key"),
           head.headers[canonicalForm: "Upgrade"].contains(where: { $0.lowercased() == "websocket" }) {
            return .jsonRPCSocket(calls, key: key)
        }
        if head.method == .POST, !responder.rpcCalls.isEmpty,
           let calls = responder.rpcCalls[HTTPRequestData(method: "POST", target: head.uri).path] {
            return .jsonRPC(calls)
        }
        return .interaction
    }
}

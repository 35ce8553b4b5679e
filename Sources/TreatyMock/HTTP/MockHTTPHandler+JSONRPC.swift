#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel

/// JSON-RPC endpoints over HTTP.
extension MockHTTPHandler {
    /// A JSON-RPC endpoint: single calls, batches and notifications answered by method and params,
    /// with the standard's error objects (-32700, -32600, -32601, -32602) for what matches nothing.
    func rpc(_ calls: [JSONRPC.Call], _ body: ByteBuffer, _ context: ChannelHandlerContext, head: HTTPRequestHead) {
        let answer = JSONRPC.answer(Array(body.readableBytesView), calls: calls)
        let request = HTTPRequestData(method: "POST", target: head.uri)
        for (position, name) in answer.matched {
            if configuration.verbose { log("jsonrpc \(request.path) → \"\(name)\"") }
            journal?.record(contract: contractIndex, method: "POST", path: request.path, query: request.query,
                            status: answer.body == nil ? 204 : 200, interaction: name, position: position)
        }
        for problem in answer.problems {
            log("unmatched jsonrpc \(request.path): \(problem)")
            journal?.record(contract: contractIndex, method: "POST", path: request.path, query: request.query, status: 200,
                            interaction: nil, position: nil)
        }
        if let bytes = answer.body {
            write(context, status: 200, headers: [("Content-Type", "application/json")], body: bytes, head: head, keepAlive: Self.keepsAlive(head))
        } else {
            write(context, status: 204, headers: [], body: [], head: head, keepAlive: Self.keepsAlive(head))
        }
    }
}

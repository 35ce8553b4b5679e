import TreatyModel

/// A `websocket` interaction: the conversation runs on a thread of its own (RFC 6455 frames over a
/// raw libcurl connection, `WebSocketClient`); `tick` picks up its outcome.
extension InteractionRun {
    func webSocketExchange(_ websocket: WebSocketInteraction) {
        guard let (request, _) = buildRequest(websocket.request) else { return }
        let transport = options.transport
        onSocketThread { client in
            client.converse(request, subprotocol: websocket.subprotocol, steps: websocket.steps, options: transport)
        }
    }
}

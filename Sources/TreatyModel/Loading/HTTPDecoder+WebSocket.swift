/// `websocket` interactions: the upgrade request, the subprotocol and the conversation.
extension HTTPDecoder {
    /// `{"request", "subprotocol", "conversation": [{"client"|"server": {"text"|"json"|"binary"|"ping"|"close": …}, "after", "within"}]}`
    func decodeWebSocket(_ node: JSONNode, _ pointer: JSONPointer) -> WebSocketInteraction? {
        guard let reader = ObjectReader(node, pointer, context, what: "a websocket interaction") else { return nil }
        reader.checkKeys(["request", "subprotocol", "conversation"])
        let request = reader.required("request").flatMap { decodeRequest($0, pointer / "request") }
        let subprotocol = reader.string("subprotocol")
        if let subprotocol, subprotocol.isEmpty || subprotocol.contains(where: { $0 == "," || $0 == " " || !$0.isASCII }) {
            context.error("\"subprotocol\" is one token, such as \"orders.v1\"", at: reader["subprotocol"]?.position, pointer / "subprotocol")
        }
        var steps: [WebSocketStep] = []
        if let list = reader.required("conversation") {
            if let elements = list.arrayValue {
                for (i, element) in elements.enumerated() {
                    if let step = decodeWebSocketStep(element, pointer / "conversation" / i) { steps.append(step) }
                }
            } else {
                context.error("\"conversation\" must be an array of steps, found \(list.typeName)", at: list.position, pointer / "conversation")
            }
        }
        guard let request else { return nil }
        if request.method != "GET" {
            context.error("a WebSocket opens with GET, found \(request.method)", at: node.position, pointer / "request" / "method")
        }
        return WebSocketInteraction(request: request, subprotocol: subprotocol, steps: steps)
    }

    func decodeWebSocketStep(_ node: JSONNode, _ pointer: JSONPointer) -> WebSocketStep? {
        guard let reader = ObjectReader(node, pointer, context, what: "a conversation step") else { return nil }
        reader.checkKeys(["client", "server", "after", "within"])
        func duration(_ key: String) -> Int? { optionalDuration(reader, key) }
        let sides = [("client", WebSocketStep.Side.client), ("server", .server)].filter { reader[$0.0] != nil }
        guard sides.count == 1, let (key, side) = sides.first, let body = reader[key] else {
            context.error("a conversation step has \"client\" (the client sends) or \"server\" (the server sends), exactly one",
                          at: node.position, pointer)
            return nil
        }
        let at = pointer / key
        guard let message = ObjectReader(body, at, context, what: "a message") else { return nil }
        message.checkKeys(["text", "json", "binary", "ping", "close"])
        let kinds = ["text", "json", "binary", "ping", "close"].filter { message[$0] != nil }
        guard kinds.count == 1, let kind = kinds.first, let value = message[kind] else {
            context.error("a message is one of {\"text\": …}, {\"json\": …}, {\"binary\": BASE64}, {\"ping\": …}, {\"close\": {\"code\": 1000}}",
                          at: body.position, at)
            return nil
        }
        let decoded: WebSocketStep.Message
        switch kind {
        case "text":
            guard let pattern = patterns.decodeString(value, at / "text", what: "a text message") else { return nil }
            decoded = .text(pattern)
        case "json":
            guard let pattern = patterns.decode(value, at / "json") else { return nil }
            decoded = .json(pattern)
        case "binary":
            guard let text = value.stringValue, let bytes = Base64Text.decode(text) else {
                context.error("\"binary\" is base64 text, such as \"AAEC\"", at: value.position, at / "binary")
                return nil
            }
            decoded = .binary(bytes)
        case "ping":
            guard let text = value.stringValue, text.utf8.count <= 125 else {
                context.error("\"ping\" is text of at most 125 bytes (a control frame's payload)", at: value.position, at / "ping")
                return nil
            }
            decoded = .ping(Array(text.utf8))
        default:
            guard let close = ObjectReader(value, at / "close", context, what: "a close frame") else { return nil }
            close.checkKeys(["code", "reason"])
            let code = close.integer("code", in: 1000...4999) ?? 1000
            if [1004, 1005, 1006, 1015].contains(code) || (1012...2999).contains(code) && code > 1014 {
                context.error("close code \(code) must not be sent (RFC 6455 §7.4)", at: close["code"]?.position, at / "close" / "code")
            }
            let reason = close.string("reason") ?? ""
            if reason.utf8.count > 123 {
                context.error("a close reason is at most 123 bytes", at: close["reason"]?.position, at / "close" / "reason")
            }
            decoded = .close(code: code, reason: reason)
        }
        return WebSocketStep(side: side, message: decoded, afterMilliseconds: duration("after") ?? 0, withinMilliseconds: duration("within"),
                             position: node.position, pointer: pointer)
    }
}

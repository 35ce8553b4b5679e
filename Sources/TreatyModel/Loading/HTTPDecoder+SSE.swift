/// `sse` interactions: the request that opens the stream, the response head and the events.
extension HTTPDecoder {
    /// `{"request": {...}, "response": {"status", "headers"}, "events": [{"event", "id", "data", "retry", "after", "within"}], "close": true}`
    func decodeSSE(_ node: JSONNode, _ pointer: JSONPointer) -> SSEInteraction? {
        guard let reader = ObjectReader(node, pointer, context, what: "an sse interaction") else { return nil }
        reader.checkKeys(["request", "response", "events", "close"])
        let request = reader.required("request").flatMap { decodeRequest($0, pointer / "request") }
        var response = HTTPResponseSpec(status: 200, headers: [])
        if let node = reader["response"], let r = ObjectReader(node, pointer / "response", context, what: "an sse response") {
            r.checkKeys(["status", "headers"])
            response.status = r.integer("status", in: 100...599) ?? 200
            response.headers = r["headers"].map { decodeNamedValues($0, pointer / "response" / "headers", what: "header") } ?? []
        }
        var close = true
        if let c = reader["close"] {
            if let b = c.boolValue { close = b } else { context.error("\"close\" must be true or false", at: c.position, pointer / "close") }
        }
        var events: [SSEEvent] = []
        if let list = reader.required("events") {
            if let elements = list.arrayValue {
                for (i, element) in elements.enumerated() {
                    if let event = decodeSSEEvent(element, pointer / "events" / i) { events.append(event) }
                }
            } else {
                context.error("\"events\" must be an array of events, found \(list.typeName)", at: list.position, pointer / "events")
            }
        }
        guard let request else { return nil }
        if request.method != "GET" {
            context.warning("an EventSource opens streams with GET; \(request.method) works with other clients only", at: node.position,
                            pointer / "request" / "method")
        }
        return SSEInteraction(request: request, response: response, events: events, close: close)
    }

    func decodeSSEEvent(_ node: JSONNode, _ pointer: JSONPointer) -> SSEEvent? {
        guard let reader = ObjectReader(node, pointer, context, what: "an event") else { return nil }
        reader.checkKeys(["event", "id", "data", "retry", "after", "within"])
        func field(_ key: String) -> String? {
            guard let value = reader.string(key) else { return nil }
            if value.contains(where: { $0 == "\n" || $0 == "\r" }) {
                context.error("an event's \"\(key)\" must be one line", at: reader[key]?.position, pointer / key)
            }
            return value
        }
        func duration(_ key: String) -> Int? { optionalDuration(reader, key) }
        let event = field("event"), id = field("id")
        if let id, id.contains("\0") { context.error("an event \"id\" must not contain NUL", at: reader["id"]?.position, pointer / "id") }
        let retry = reader.integer("retry", in: 0...86_400_000)
        let after = duration("after") ?? 0
        let within = duration("within")
        guard let dataNode = reader.required("data"), let pattern = patterns.decode(dataNode, pointer / "data") else { return nil }
        let data: SSEEvent.Data
        if case .string = pattern.example.value { data = .text(pattern) } else { data = .json(pattern) }
        return SSEEvent(event: event, id: id, data: data, retry: retry, afterMilliseconds: after, withinMilliseconds: within,
                        position: node.position, pointer: pointer)
    }
}

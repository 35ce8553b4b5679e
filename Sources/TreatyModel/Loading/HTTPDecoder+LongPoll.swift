/// `longPoll` interactions: the held request, what releases it, and the answers.
extension HTTPDecoder {
    /// `{"request", "hold": "2s" | {"until": NAME} | {"untilCalled": INTERACTION}, "timeout", "response", "timeoutResponse"}`
    func decodeLongPoll(_ node: JSONNode, _ pointer: JSONPointer) -> LongPollInteraction? {
        guard let reader = ObjectReader(node, pointer, context, what: "a longPoll interaction") else { return nil }
        reader.checkKeys(["request", "hold", "timeout", "response", "timeoutResponse"])
        let request = reader.required("request").flatMap { decodeRequest($0, pointer / "request") }
        let response = reader.required("response").flatMap { decodeResponse($0, pointer / "response") }
        let timeoutResponse = reader["timeoutResponse"].flatMap { decodeResponse($0, pointer / "timeoutResponse") }
        func duration(_ n: JSONNode, _ p: JSONPointer) -> Int? {
            guard let text = n.stringValue, let ms = DurationText.milliseconds(text) else {
                context.error("a duration is written like \"250ms\", \"2s\" or \"1m\", found \(n.rendered())", at: n.position, p)
                return nil
            }
            return ms
        }
        var hold: LongPollInteraction.Hold?
        if let h = reader.required("hold") {
            if h.stringValue != nil {
                hold = duration(h, pointer / "hold").map { .duration($0) }
            } else if let r = ObjectReader(h, pointer / "hold", context, what: "a hold (\"2s\", {\"until\": NAME} or {\"untilCalled\": INTERACTION})") {
                r.checkKeys(["until", "untilCalled"])
                if let name = r.string("until") {
                    hold = .trigger(name)
                } else if let name = r.string("untilCalled") {
                    hold = .call(name)
                } else {
                    context.error("a hold object needs \"until\" (a trigger name) or \"untilCalled\" (an interaction name)", at: h.position,
                                  pointer / "hold")
                }
                if r["until"] != nil && r["untilCalled"] != nil {
                    context.error("give \"until\" or \"untilCalled\", not both", at: h.position, pointer / "hold")
                }
            }
        }
        var timeout = 30_000
        if let t = reader["timeout"] {
            if let ms = duration(t, pointer / "timeout") { timeout = ms }
            if case .duration? = hold {
                context.warning("\"timeout\" applies to holds that wait for a trigger or a call; a timed hold always answers \"response\"",
                                at: t.position, pointer / "timeout")
            }
        }
        guard let request, let response, let hold else { return nil }
        return LongPollInteraction(request: request, response: response, hold: hold, timeoutMilliseconds: timeout,
                                   timeoutResponse: timeoutResponse ?? HTTPResponseSpec(status: 204))
    }
}

/// Reads an `http` interaction: `{"request": {...}, "response": {...}}`.
struct HTTPDecoder {
    let context: LoadContext
    var patterns: PatternDecoder { PatternDecoder(context: context) }

    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"]

    func decode(_ node: JSONNode, _ pointer: JSONPointer) -> HTTPInteraction? {
        guard let reader = ObjectReader(node, pointer, context, what: "an http interaction") else { return nil }
        reader.checkKeys(["request", "response", "responses", "repeat"])
        let request = reader.required("request").flatMap { decodeRequest($0, pointer / "request") }
        if let list = reader["responses"] {
            if reader["response"] != nil {
                context.error("give \"response\" or \"responses\", not both", at: reader.object.member("responses")?.keyPosition,
                              pointer / "responses")
            }
            guard let elements = list.arrayValue, !elements.isEmpty else {
                context.error("\"responses\" must be a non-empty array of responses, given in turn", at: list.position, pointer / "responses")
                return nil
            }
            let responses = elements.enumerated().compactMap { decodeResponse($0.element, pointer / "responses" / $0.offset) }
            var repeats = false
            if let r = reader["repeat"] {
                if let b = r.boolValue { repeats = b } else {
                    context.error("\"repeat\" must be true or false", at: r.position, pointer / "repeat")
                }
            }
            guard let request, responses.count == elements.count else { return nil }
            return HTTPInteraction(request: request, response: responses[0], sequence: ResponseSequence(responses: responses, repeats: repeats))
        }
        if let r = reader.object.member("repeat") {
            context.warning("\"repeat\" applies to \"responses\" only; ignored", at: r.keyPosition, pointer / "repeat")
        }
        let response = reader.required("response").flatMap { decodeResponse($0, pointer / "response") }
        guard let request, let response else { return nil }
        return HTTPInteraction(request: request, response: response)
    }

    func decodeRequest(_ node: JSONNode, _ pointer: JSONPointer) -> HTTPRequestSpec? {
        guard let reader = ObjectReader(node, pointer, context, what: "an http request") else { return nil }
        reader.checkKeys(["method", "path", "query", "headers", "body", "bodyFile", "compare", "multipart"])
        var method = "GET"
        if let m = reader.string("method") {
            method = m.uppercased()
            let token = method.allSatisfy { ($0 >= "A" && $0 <= "Z") || $0 == "-" || $0 == "_" }
            if method.isEmpty || (!Self.methods.contains(method) && !token) {
                context.error("\"\(m)\" is not an HTTP method", at: reader["method"]?.position, pointer / "method")
            }
        }
        var path: Pattern?
        if let p = reader.required("path") {
            path = patterns.decodeString(p, pointer / "path", what: "\"path\"")
            if let example = path?.example.stringValue, !example.hasPrefix("/") {
                context.error("\"path\" must start with \"/\", found \"\(example)\"", at: p.position, pointer / "path")
            }
            if let example = path?.example.stringValue, example.contains("?") {
                context.error("\"path\" must not contain a query string; put parameters in \"query\"", at: p.position, pointer / "path")
            }
        }
        let query = reader["query"].map { decodeNamedValues($0, pointer / "query", what: "query parameter") } ?? []
        let headers = reader["headers"].map { decodeNamedValues($0, pointer / "headers", what: "header") } ?? []
        let body = decodeBody(reader, headers: headers)
        guard let path else { return nil }
        return HTTPRequestSpec(method: method, path: path, query: query, headers: headers, body: body)
    }

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

    /// `{"body" | "bodyFile": …, "contentType": "application/json", "metadata": {"topic": "orders", …}}`
    func decodeMessage(_ node: JSONNode, _ pointer: JSONPointer) -> MessageSpec? {
        guard let reader = ObjectReader(node, pointer, context, what: "a message") else { return nil }
        reader.checkKeys(["body", "bodyFile", "compare", "contentType", "metadata"])
        var metadata = reader["metadata"].map { decodeNamedValues($0, pointer / "metadata", what: "metadata entry") } ?? []
        let contentType = reader.string("contentType")
        if let contentType {
            metadata.removeAll { $0.name == "contentType" }
            metadata.append(HeaderSpec("contentType", contentType))
        }
        if reader["body"] == nil && reader["bodyFile"] == nil {
            context.error("a message needs \"body\" (or \"bodyFile\"): its contents", at: node.position, pointer)
            return nil
        }
        let body = decodeBody(reader, headers: contentType.map { [HeaderSpec("Content-Type", $0)] } ?? [], allowMultipart: false)
        return MessageSpec(contents: body, metadata: metadata)
    }

    /// `{"path": "/rpc", "headers", "method", "params", "result" | "error": {"code", "message", "data"}, "notification": false}`
    func decodeJSONRPC(_ node: JSONNode, _ pointer: JSONPointer) -> JSONRPCInteraction? {
        guard let reader = ObjectReader(node, pointer, context, what: "a jsonrpc interaction") else { return nil }
        reader.checkKeys(["path", "headers", "method", "params", "result", "error", "notification", "transport"])
        var transport = JSONRPCInteraction.Transport.http
        if let t = reader.string("transport") {
            if let known = JSONRPCInteraction.Transport(rawValue: t) { transport = known } else {
                context.error("\"transport\" is \"http\" or \"websocket\", found \"\(t)\"", at: reader["transport"]?.position, pointer / "transport")
            }
        }
        let path = reader.string("path") ?? "/rpc"
        if !path.hasPrefix("/") || path.contains("?") {
            context.error("a JSON-RPC \"path\" starts with \"/\" and has no query, found \"\(path)\"", at: reader["path"]?.position, pointer / "path")
        }
        let headers = reader["headers"].map { decodeNamedValues($0, pointer / "headers", what: "header") } ?? []
        let method = reader.string("method", required: true)
        if let method, method.isEmpty || method.hasPrefix("rpc.") {
            context.error("a method name must not be empty or start with \"rpc.\" (reserved by JSON-RPC 2.0)", at: reader["method"]?.position,
                          pointer / "method")
        }
        var params: Pattern?
        if let p = reader["params"] {
            params = patterns.decode(p, pointer / "params")
            if let example = params?.example, example.objectValue == nil && example.arrayValue == nil {
                context.error("\"params\" is an object (by name) or an array (by position), found \(example.typeName)", at: p.position,
                              pointer / "params")
            }
        }
        var notification = false
        if let n = reader["notification"] {
            if let b = n.boolValue { notification = b } else { context.error("\"notification\" must be true or false", at: n.position, pointer / "notification") }
        }
        var outcome = JSONRPCInteraction.Outcome.none
        switch (reader["result"], reader["error"]) {
        case (let r?, nil):
            if let pattern = patterns.decode(r, pointer / "result") { outcome = .result(pattern) }
        case (nil, let e?):
            if let errorReader = ObjectReader(e, pointer / "error", context, what: "an error object") {
                errorReader.checkKeys(["code", "message", "data"])
                let code = errorReader.integer("code", in: Int(Int32.min)...Int(Int32.max)) ?? -32000
                let message = errorReader.required("message").flatMap { patterns.decodeString($0, pointer / "error" / "message", what: "an error message") }
                let data = errorReader["data"].flatMap { patterns.decode($0, pointer / "error" / "data") }
                if let message { outcome = .error(code: code, message: message, data: data) }
            }
        case (_?, _?):
            context.error("give \"result\" or \"error\", not both", at: node.position, pointer)
        case (nil, nil):
            if !notification {
                context.error("a call is answered with \"result\" or \"error\"; a call without an answer is a \"notification\": true",
                              at: node.position, pointer)
            }
        }
        if notification, case .none = outcome {} else if notification {
            context.error("a notification gets no answer: leave out \"result\" and \"error\"", at: node.position, pointer)
        }
        guard let method else { return nil }
        var call = JSONRPCInteraction(path: path, headers: headers, method: method, params: params, outcome: outcome, notification: notification)
        call.transport = transport
        return call
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

    /// The duration at `key` of `reader` ("250ms", "2s"), nil when absent or (with an error) not one.
    func optionalDuration(_ reader: ObjectReader, _ key: String) -> Int? {
        guard let n = reader[key] else { return nil }
        guard let text = n.stringValue, let ms = DurationText.milliseconds(text) else {
            context.error("\"\(key)\" is a duration such as \"250ms\" or \"2s\", found \(n.rendered())", at: n.position, reader.pointer / key)
            return nil
        }
        return ms
    }

    /// `[{"name": …, "after": "100ms", "request": {"method": "POST", "url": …, "headers": …, "body": …}}]`
    func decodeCallbacks(_ node: JSONNode, _ pointer: JSONPointer) -> [Callback] {
        guard let elements = node.arrayValue else {
            context.error("\"callbacks\" must be an array of callbacks, found \(node.typeName)", at: node.position, pointer)
            return []
        }
        return elements.enumerated().compactMap { offset, element in
            let at = pointer / offset
            guard let reader = ObjectReader(element, at, context, what: "a callback") else { return nil }
            reader.checkKeys(["name", "after", "request"])
            let name = reader.string("name") ?? "callback \(offset + 1)"
            var delay = 0
            if let after = reader["after"] {
                if let text = after.stringValue, let ms = DurationText.milliseconds(text) {
                    delay = ms
                } else {
                    context.error("\"after\" is a duration such as \"250ms\" or \"2s\", found \(after.rendered())", at: after.position, at / "after")
                }
            }
            guard let requestNode = reader.required("request"),
                  let request = ObjectReader(requestNode, at / "request", context, what: "a callback request") else { return nil }
            request.checkKeys(["method", "url", "headers", "body", "bodyFile", "compare", "multipart"])
            var method = "POST"
            if let m = request.string("method") {
                method = m.uppercased()
                if method.isEmpty || !method.allSatisfy({ ($0 >= "A" && $0 <= "Z") || $0 == "-" || $0 == "_" }) {
                    context.error("\"\(m)\" is not an HTTP method", at: request["method"]?.position, at / "request" / "method")
                }
            }
            var url: Pattern?
            if let u = request.required("url") {
                url = patterns.decodeString(u, at / "request" / "url", what: "\"url\"")
                if let example = url?.example.stringValue {
                    let lower = example.lowercased()
                    if !(lower.hasPrefix("http://") || lower.hasPrefix("https://")) || example.count < 10 {
                        context.error("a callback \"url\" is an absolute http:// or https:// URL, found \"\(example)\"", at: u.position,
                                      at / "request" / "url")
                    }
                }
            }
            let headers = request["headers"].map { decodeNamedValues($0, at / "request" / "headers", what: "header") } ?? []
            let body = decodeBody(request, headers: headers)
            guard let url else { return nil }
            return Callback(name: name, delayMilliseconds: delay, method: method, url: url, headers: headers, body: body,
                            position: element.position, pointer: at)
        }
    }

    func decodeResponse(_ node: JSONNode, _ pointer: JSONPointer) -> HTTPResponseSpec? {
        guard let reader = ObjectReader(node, pointer, context, what: "an http response") else { return nil }
        reader.checkKeys(["status", "headers", "body", "bodyFile", "compare", "multipart"])
        var status = 200
        var statusRule: StatusRule?
        if let node = reader["status"], let object = node.objectValue, object["$statusCode"] != nil {
            (status, statusRule) = decodeStatusRule(node, object, pointer / "status")
        } else {
            status = reader.integer("status", in: 100...599) ?? 200
        }
        let headers = reader["headers"].map { decodeNamedValues($0, pointer / "headers", what: "header") } ?? []
        let body = decodeBody(reader, headers: headers)
        return HTTPResponseSpec(status: status, statusRule: statusRule, headers: headers, body: body)
    }

    /// `{"$statusCode": "success", "example": 201}`
    func decodeStatusRule(_ node: JSONNode, _ object: JSONObject, _ pointer: JSONPointer) -> (Int, StatusRule?) {
        guard let reader = ObjectReader(node, pointer, context, what: "a $statusCode matcher") else { return (200, nil) }
        reader.checkKeys(["$statusCode", "example"])
        switch StatusRule.parse(object["$statusCode"]!) {
        case .failure(let message):
            context.error("$statusCode: \(message.message)", at: object["$statusCode"]!.position, pointer / "$statusCode")
            return (200, nil)
        case .success(let rule):
            let example = reader.integer("example", in: 100...599)
            let fallback = rule.items.first.map { item -> Int in
                switch item {
                case .code(let c): c
                case .range(_, let r): r.lowerBound == 100 ? 200 : r.lowerBound
                }
            } ?? 200
            let status = example ?? fallback
            if !rule.allows(status) {
                context.error("the example status \(status) is not \(rule)", at: reader["example"]?.position ?? node.position, pointer / "example")
            }
            return (status, rule)
        }
    }

    /// `{"Accept": "application/json", "X-Ids": ["1", "2"], "X-Trace": {"$regex": "…", "example": "…"}}`
    func decodeNamedValues(_ node: JSONNode, _ pointer: JSONPointer, what: String) -> [HeaderSpec] {
        guard let object = node.objectValue else {
            context.error("\(what)s must be an object of names to values, found \(node.typeName)", at: node.position, pointer)
            return []
        }
        var specs: [HeaderSpec] = []
        var seen: [String: SourcePosition] = [:]
        for member in object.members {
            let memberPointer = pointer / member.key
            if member.key.isEmpty {
                context.error("\(what) name must not be empty", at: member.keyPosition, memberPointer)
                continue
            }
            if what == "header" {
                if let first = seen[member.key.lowercased()] {
                    context.error("header \"\(member.key)\" is given twice (first at \(first)); header names ignore case, list values in an array",
                                  at: member.keyPosition, memberPointer)
                }
                seen[member.key.lowercased()] = member.keyPosition
                // RFC 9110 token characters only: anything else could split or forge the message.
                let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                if !member.key.allSatisfy({ token.contains($0) }) {
                    context.error("\"\(member.key)\" is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)",
                                  at: member.keyPosition, memberPointer)
                }
            }
            var values: [Pattern] = []
            if let list = member.value.arrayValue {
                if list.isEmpty {
                    context.error("\(what) \"\(member.key)\" has an empty list of values", at: member.value.position, memberPointer)
                }
                for (i, element) in list.enumerated() {
                    if let p = patterns.decodeString(element, memberPointer / i, what: "\(what) value") { values.append(p) }
                }
            } else if let p = patterns.decodeString(member.value, memberPointer, what: "\(what) value") {
                values.append(p)
            }
            if what == "header", values.contains(where: { ($0.example.stringValue ?? "").contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) }) {
                context.error("header \"\(member.key)\" has a line break in its value; HTTP forbids it (it would split the message)",
                              at: member.value.position, memberPointer)
            }
            specs.append(HeaderSpec(name: member.key, values: values))
        }
        return specs
    }

    func decodeBody(_ reader: ObjectReader, headers: [HeaderSpec], allowMultipart: Bool = true) -> BodySpec? {
        let contentType = headers.first(named: "Content-Type")?.values.first?.example.stringValue?.lowercased()
        let declaredJSON = contentType.map(MediaType.isJSON) ?? false
        if reader["body"] != nil, reader["bodyFile"] != nil {
            context.error("give either \"body\" or \"bodyFile\", not both", at: reader.object.member("bodyFile")?.keyPosition,
                          reader.pointer / "bodyFile")
        }
        if let compare = reader.object.member("compare"), reader["bodyFile"] == nil {
            context.warning("\"compare\" applies to \"bodyFile\" only; ignored here", at: compare.keyPosition, reader.pointer / "compare")
        }
        if allowMultipart, let parts = reader["multipart"] {
            if reader["body"] != nil || reader["bodyFile"] != nil {
                context.error("give \"multipart\" or a body, not both", at: reader.object.member("multipart")?.keyPosition, reader.pointer / "multipart")
            }
            return decodeMultipart(parts, reader.pointer / "multipart")
        }
        if let body = reader["body"], contentType.map({ $0.hasPrefix("application/x-www-form-urlencoded") }) ?? false {
            if let text = body.stringValue {
                let pairs = FormFields.parse(text)
                return .form(pairs.map { HeaderSpec(name: $0.0, values: $0.1.map(Pattern.string)) })
            }
            return .form(decodeNamedValues(body, reader.pointer / "body", what: "form field"))
        }
        if let body = reader["body"] {
            guard let pattern = patterns.decode(body, reader.pointer / "body") else { return nil }
            if case .string(let text) = body.value, let contentType, XMLBody.isXML(contentType) {
                return xml(Array(text.utf8), at: body.position, reader.pointer / "body")
            }
            if case .string = pattern.example.value, !declaredJSON {
                return .text(pattern)
            }
            return .json(pattern)
        }
        guard let fileNode = reader["bodyFile"] else { return nil }
        let pointer = reader.pointer / "bodyFile"
        guard let reference = fileNode.stringValue, !reference.isEmpty else {
            context.error("\"bodyFile\" must be a path relative to the contract file", at: fileNode.position, pointer)
            return nil
        }
        switch context.resolver.resolve(reference, from: context.file) {
        case .missing(let path):
            context.error("bodyFile \"\(reference)\" not found (looked for \(path))", at: fileNode.position, pointer)
        case .escapesRoot(let path, let root):
            context.error("bodyFile \"\(reference)\" resolves to \(path), outside the contract root \(root); keep referenced files inside it",
                          at: fileNode.position, pointer)
        case .unreadable(let path, let reason):
            context.error("bodyFile \"\(reference)\" (\(path)) cannot be read: \(reason)", at: fileNode.position, pointer)
        case .contents(let bytes, let path):
            let isJSON = declaredJSON || (contentType == nil && path.lowercased().hasSuffix(".json"))
            if let compare = reader.string("compare") {
                switch compare {
                case "exact": break
                case "contentType":
                    let type = contentType ?? ContentSniffer.mediaType(of: bytes)
                    if !ContentSniffer.matches(bytes, expected: type) {
                        context.error("bodyFile \"\(reference)\" is not \(type) (its bytes look like \(ContentSniffer.mediaType(of: bytes)))",
                                      at: fileNode.position, pointer)
                    }
                    return .contentType(type, example: bytes)
                default:
                    context.error("\"compare\" is \"exact\" or \"contentType\", found \"\(compare)\"", at: reader["compare"]?.position,
                                  reader.pointer / "compare")
                }
            }
            if contentType.map(XMLBody.isXML) ?? path.lowercased().hasSuffix(".xml") {
                return xml(bytes, at: fileNode.position, pointer)
            }
            guard isJSON else { return .bytes(bytes) }
            let sub = LoadContext(file: path, resolver: context.resolver)
            do {
                let document = try JSONParser.parse(bytes)
                for duplicate in document.duplicateKeys {
                    sub.error("duplicate key \"\(duplicate.key)\"; JSON readers disagree on which one wins, keep one",
                              at: duplicate.position, duplicate.pointer)
                }
                let pattern = PatternDecoder(context: sub).decode(document.root, .root)
                context.append(sub.diagnostics)
                return pattern.map(BodySpec.json)
            } catch {
                context.error("bodyFile \"\(reference)\" is not valid JSON: \(error.message) (at \(path):\(error.position))",
                              at: fileNode.position, pointer)
            }
        }
        return nil
    }
}

extension HTTPDecoder {
    /// `"multipart": [{"name": "meta", "body": {...}}, {"name": "file", "filename": "a.png", "contentType": "image/png", "bodyFile": "a.png"}]`
    func decodeMultipart(_ node: JSONNode, _ pointer: JSONPointer) -> BodySpec? {
        guard let list = node.arrayValue, !list.isEmpty else {
            context.error("\"multipart\" must be a non-empty array of parts", at: node.position, pointer)
            return nil
        }
        var parts: [MultipartPart] = []
        for (i, element) in list.enumerated() {
            guard let reader = ObjectReader(element, pointer / i, context, what: "a multipart part") else { continue }
            reader.checkKeys(["name", "filename", "contentType", "body", "bodyFile", "compare"])
            guard let name = reader.string("name", required: true) else { continue }
            let type = reader.string("contentType")
            let headers = type.map { [HeaderSpec("Content-Type", $0)] } ?? []
            parts.append(MultipartPart(name: name, filename: reader.string("filename"), contentType: type,
                                       body: decodeBody(reader, headers: headers, allowMultipart: false)))
        }
        return .multipart(parts)
    }

    /// An XML body compared by structure: attributes in any order, namespaces by URI.
    func xml(_ bytes: [UInt8], at position: SourcePosition, _ pointer: JSONPointer) -> BodySpec? {
        switch XMLBody.json(from: bytes) {
        case .success(let shape): return .xml(Pattern(literal: shape), source: bytes)
        case .failure(let error):
            context.error("the XML body is not well-formed: \(error)", at: position, pointer)
            return nil
        }
    }
}

/// Form fields in written order, repeated names grouped.
enum FormFields {
    static func parse(_ text: String) -> [(String, [String])] {
        var pairs: [(String, [String])] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(kv[0], plusAsSpace: true)
            let value = kv.count > 1 ? PercentEncoding.decode(kv[1], plusAsSpace: true) : ""
            if let i = pairs.firstIndex(where: { $0.0 == name }) { pairs[i].1.append(value) } else { pairs.append((name, [value])) }
        }
        return pairs
    }
}

/// Media type helpers shared by loaders and matchers.
public enum MediaType {
    /// `application/json`, `application/problem+json`, `application/vnd.x+json; charset=utf-8`, …
    public static func isJSON(_ contentType: String) -> Bool {
        let essence = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters() } ?? ""
        let lowered = essence.lowercased()
        return lowered == "application/json" || lowered.hasSuffix("+json") || lowered == "text/json"
    }
}


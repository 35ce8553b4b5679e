/// `jsonrpc` interactions: endpoint, method, params and the result or error.
extension HTTPDecoder {
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
}

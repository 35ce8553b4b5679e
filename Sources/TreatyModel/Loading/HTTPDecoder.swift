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

    /// The duration at `key` of `reader` ("250ms", "2s"), nil when absent or (with an error) not one.
    func optionalDuration(_ reader: ObjectReader, _ key: String) -> Int? {
        guard let n = reader[key] else { return nil }
        guard let text = n.stringValue, let ms = DurationText.milliseconds(text) else {
            context.error("\"\(key)\" is a duration such as \"250ms\" or \"2s\", found \(n.rendered())", at: n.position, reader.pointer / key)
            return nil
        }
        return ms
    }
}

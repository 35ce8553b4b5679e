/// `callbacks`: the requests the provider makes after answering (webhooks).
extension HTTPDecoder {
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
}

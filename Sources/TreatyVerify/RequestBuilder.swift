import TreatyMatching
import TreatyModel

/// Builds the concrete request the verifier sends from an interaction's request spec: examples
/// filled in (or generated: values from provider states, the callback receiver's URL, …), query
/// encoded, a Content-Type for the body when the contract names none.
enum RequestBuilder {
    static func build(_ spec: HTTPRequestSpec, extraHeaders: [(name: String, value: String)] = [],
                      generator: ValueGenerator? = nil) -> HTTPRequestData {
        func text(_ pattern: Pattern) -> String? {
            guard let generator, pattern.hasGenerators else { return pattern.example.stringValue }
            let node = generator.render(pattern)
            // Generated values (from state answers) must not break the request line or a header.
            return String((node.stringValue ?? node.rendered()).filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" && $0 != "\0" })
        }
        let path = text(spec.path) ?? "/"
        var query: [String] = []
        for parameter in spec.query {
            for value in parameter.values {
                query.append(PercentEncoding.encode(parameter.name) + "=" + PercentEncoding.encode(text(value) ?? ""))
            }
        }
        var headers: [(name: String, value: String)] = []
        for header in spec.headers {
            let values = header.values.compactMap { text($0) }
            headers.append((header.name, values.joined(separator: ", ")))
        }
        var body: [UInt8] = []
        if let spec = spec.body {
            body = spec.exampleBytes
            if let generator {
                switch spec {
                case .json(let p) where p.hasGenerators: body = generator.render(p).renderedBytes()
                case .text(let p) where p.hasGenerators: body = Array((text(p) ?? "").utf8)
                default: break
                }
            }
            if case .multipart = spec {
                // The boundary must be the one the body uses.
                headers.removeAll { $0.name.caseInsensitiveEquals("Content-Type") }
            }
            if !headers.contains(where: { $0.name.caseInsensitiveEquals("Content-Type") }) {
                headers.append(("Content-Type", spec.defaultContentType))
            }
        }
        for extra in extraHeaders {
            headers.removeAll { $0.name.caseInsensitiveEquals(extra.name) }
            headers.append(extra)
        }
        return HTTPRequestData(method: spec.method, path: PercentEncoding.encodePath(path), query: query.joined(separator: "&"),
                               headers: headers, body: body)
    }

    /// `base` + `path` + `?query`, without doubling the slash between them.
    static func url(base: String, request: HTTPRequestData) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + request.path + (request.query.isEmpty ? "" : "?" + request.query)
    }
}

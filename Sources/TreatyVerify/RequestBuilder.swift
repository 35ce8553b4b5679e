import TreatyMatching
import TreatyModel

/// Builds the concrete request the verifier sends from an interaction's request spec: examples
/// filled in, query encoded, a Content-Type for the body when the contract names none.
enum RequestBuilder {
    static func build(_ spec: HTTPRequestSpec, extraHeaders: [(name: String, value: String)] = []) -> HTTPRequestData {
        let path = spec.path.example.stringValue ?? "/"
        var query: [String] = []
        for parameter in spec.query {
            for value in parameter.values {
                query.append(PercentEncoding.encode(parameter.name) + "=" + PercentEncoding.encode(value.example.stringValue ?? ""))
            }
        }
        var headers: [(name: String, value: String)] = []
        for header in spec.headers {
            let values = header.values.compactMap { $0.example.stringValue }
            headers.append((header.name, values.joined(separator: ", ")))
        }
        var body: [UInt8] = []
        if let spec = spec.body {
            body = spec.exampleBytes
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

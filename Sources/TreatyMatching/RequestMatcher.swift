import TreatyModel

/// Matches an actual request against an interaction's request spec: method, path, query, headers,
/// body. Unexpected query parameters and body keys are mismatches (a consumer sending more than the
/// contract says is a contract change).
public enum RequestMatcher {
    public static func match(_ request: HTTPRequestData, _ spec: HTTPRequestSpec) -> [Mismatch] {
        var out: [Mismatch] = []
        if !request.method.caseInsensitiveEquals(spec.method) {
            out.append(Mismatch(path: "$.method", expected: spec.method, actual: request.method, rule: "equality",
                                message: "expected method \(spec.method), got \(request.method)"))
        }
        out += matchPath(request.path, spec.path)
        out += NamedValueMatching.match(PercentEncoding.parseQuery(request.query), spec.query, section: "$.query",
                                        what: "query parameter", allowUnexpected: false)
        out += HeaderMatching.match(spec.headers, request.headers)
        out += BodyMatching.match(spec.body, request.body, contentType: request.header("Content-Type"), allowUnexpectedKeys: false)
        return out
    }

    static func matchPath(_ actual: String, _ pattern: Pattern) -> [Mismatch] {
        StringMatching.match(pattern, PercentEncoding.decode(Substring(actual)), path: "$.path", what: "path")
    }
}

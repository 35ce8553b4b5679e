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
        out += matchQuery(PercentEncoding.parseQuery(request.query), spec.query)
        out += HeaderMatching.match(spec.headers, request.headers)
        out += BodyMatching.match(spec.body, request.body, allowUnexpectedKeys: false)
        return out
    }

    static func matchPath(_ actual: String, _ pattern: Pattern) -> [Mismatch] {
        StringMatching.match(pattern, PercentEncoding.decode(Substring(actual)), path: "$.path", what: "path")
    }

    static func matchQuery(_ actual: [(name: String, value: String)], _ expected: [HeaderSpec]) -> [Mismatch] {
        var out: [Mismatch] = []
        for spec in expected {
            let path = "$.query." + spec.name
            let values = actual.filter { $0.name == spec.name }.map(\.value)
            if values.isEmpty {
                out.append(Mismatch(path: path, expected: spec.values.compactMap { $0.example.stringValue }.joined(separator: ", "),
                                    actual: "(missing)", rule: "missing", message: "missing query parameter \"\(spec.name)\""))
                continue
            }
            if values.count != spec.values.count {
                out.append(Mismatch(path: path, expected: "\(spec.values.count) value(s)", actual: values.joined(separator: ", "),
                                    rule: "equality",
                                    message: "expected \(spec.values.count) value(s) for query parameter \"\(spec.name)\", got \(values.count)"))
                continue
            }
            for (i, (pattern, value)) in zip(spec.values, values).enumerated() {
                out += StringMatching.match(pattern, value, path: spec.values.count > 1 ? "\(path)[\(i)]" : path,
                                            what: "query parameter \(spec.name)")
            }
        }
        let known = Set(expected.map(\.name))
        var reported = Set<String>()
        for (name, value) in actual where !known.contains(name) && reported.insert(name).inserted {
            out.append(Mismatch(path: "$.query." + name, expected: "(absent)", actual: value, rule: "unexpected",
                                message: "unexpected query parameter \"\(name)\""))
        }
        return out
    }
}

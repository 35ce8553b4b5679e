import TreatyModel

/// Matches expected headers against actual ones: names ignore case, extra headers are fine, values
/// compare after splitting on commas, and Content-Type compares media types and the parameters the
/// contract names.
enum HeaderMatching {
    /// `section` names the mismatch paths (`$.headers.NAME`) and `noun` the messages (`missing
    /// header "NAME"`): gRPC matches its metadata and trailers with the same rules.
    static func match(_ expected: [HeaderSpec], _ actual: [(name: String, value: String)], section: String = "headers",
                      noun: String = "header") -> [Mismatch] {
        var out: [Mismatch] = []
        for spec in expected {
            let path = "$.\(section)." + spec.name
            guard let value = actual.value(of: spec.name) else {
                let shown = spec.values.compactMap { $0.example.stringValue }.joined(separator: ", ")
                out.append(Mismatch(path: path, expected: shown, actual: "(missing)", rule: "missing",
                                    message: "missing \(noun) \"\(spec.name)\""))
                continue
            }
            if spec.values.count == 1 {
                let pattern = spec.values[0]
                if case .string(let literal) = pattern {
                    if !literalMatches(name: spec.name, expected: literal, actual: value) {
                        out.append(Mismatch(path: path, expected: literal, actual: value, rule: "equality",
                                            message: "expected \(noun) \"\(spec.name)\" to be \"\(literal)\", got \"\(clip(value, limit: 80))\""))
                    }
                } else {
                    out += StringMatching.match(pattern, value, path: path, what: "\(noun) \(spec.name)")
                }
                continue
            }
            // Several expected values: one per header line when the lines match in number, else the
            // comma-separated parts (never for headers whose values hold commas, such as dates).
            let lines = actual.filter { $0.name.caseInsensitiveEquals(spec.name) }.map(\.value)
            let parts = lines.count == spec.values.count || !splittable(spec.name) ? lines : splitValues(value)
            if parts.count != spec.values.count {
                out.append(Mismatch(path: path, expected: "\(spec.values.count) value(s)", actual: value, rule: "equality",
                                    message: "expected \(spec.values.count) value(s) for \(noun) \"\(spec.name)\", got \(parts.count)"))
                continue
            }
            for (i, (pattern, part)) in zip(spec.values, parts).enumerated() {
                out += StringMatching.match(pattern, part, path: "\(path)[\(i)]", what: "\(noun) \(spec.name)")
            }
        }
        return out
    }

    /// Headers whose single values contain commas (RFC 9110 dates, cookies): never split.
    static let unsplittable: Set<String> = [
        "date", "expires", "last-modified", "if-modified-since", "if-unmodified-since", "retry-after", "set-cookie", "cookie",
        "www-authenticate", "proxy-authenticate", "user-agent",
    ]

    static func splittable(_ name: String) -> Bool { !unsplittable.contains(name.lowercased()) }

    static func splitValues(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters() }
    }

    static func literalMatches(name: String, expected: String, actual: String) -> Bool {
        if expected == actual { return true }
        if name.caseInsensitiveEquals("content-type") { return contentTypeMatches(expected: expected, actual: actual) }
        if name.caseInsensitiveEquals("accept") {
            let e = splitValues(expected), a = splitValues(actual)
            return e.count == a.count && zip(e, a).allSatisfy { contentTypeMatches(expected: $0, actual: $1, typeIgnoresCase: false) }
        }
        guard splittable(name) else { return expected.trimmedWhitespace == actual.trimmedWhitespace }
        return splitValues(expected) == splitValues(actual)
    }

    /// `application/json` matches `application/json; charset=utf-8`; named parameters must agree
    /// (`charset` values ignore case).
    static func contentTypeMatches(expected: String, actual: String, typeIgnoresCase: Bool = true) -> Bool {
        func parse(_ s: String) -> (String, [String: String]) {
            let parts = s.split(separator: ";").map { $0.trimmingCharacters() }
            var params: [String: String] = [:]
            for p in parts.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters() }
                if kv.count == 2 { params[kv[0].lowercased()] = kv[1].trimmingQuotes().lowercased() }
            }
            let type = parts.first ?? ""
            return (typeIgnoresCase ? type.lowercased() : type, params)
        }
        let (eType, eParams) = parse(expected)
        let (aType, aParams) = parse(actual)
        return eType == aType && eParams.allSatisfy { aParams[$0.key] == $0.value }
    }
}

extension String {
    func trimmingQuotes() -> String {
        if count >= 2, first == "\"", last == "\"" { return String(dropFirst().dropLast()) }
        return self
    }
}

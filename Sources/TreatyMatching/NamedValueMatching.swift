import TreatyModel

/// Matches name/value lists (query parameters, form fields): names repeat, values are string
/// patterns in order, and names the contract does not list are mismatches unless allowed.
enum NamedValueMatching {
    static func match(
        _ actual: [(name: String, value: String)], _ expected: [HeaderSpec], section: String, what: String, allowUnexpected: Bool
    ) -> [Mismatch] {
        var out: [Mismatch] = []
        for spec in expected {
            let path = section + "." + spec.name
            let values = actual.filter { $0.name == spec.name }.map(\.value)
            if values.isEmpty {
                out.append(Mismatch(path: path, expected: spec.values.compactMap { $0.example.stringValue }.joined(separator: ", "),
                                    actual: "(missing)", rule: "missing", message: "missing \(what) \"\(spec.name)\""))
                continue
            }
            if values.count != spec.values.count {
                out.append(Mismatch(path: path, expected: "\(spec.values.count) value(s)", actual: values.joined(separator: ", "),
                                    rule: "equality", message: "expected \(spec.values.count) value(s) for \(what) \"\(spec.name)\", got \(values.count)"))
                continue
            }
            for (i, (pattern, value)) in zip(spec.values, values).enumerated() {
                out += StringMatching.match(pattern, value, path: spec.values.count > 1 ? "\(path)[\(i)]" : path, what: "\(what) \(spec.name)")
            }
        }
        guard !allowUnexpected else { return out }
        let known = Set(expected.map(\.name))
        var reported = Set<String>()
        for (name, value) in actual where !known.contains(name) && reported.insert(name).inserted {
            out.append(Mismatch(path: section + "." + name, expected: "(absent)", actual: value, rule: "unexpected",
                                message: "unexpected \(what) \"\(name)\""))
        }
        return out
    }
}

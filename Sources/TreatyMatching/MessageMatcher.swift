import TreatyModel

/// Matches an actual message body against a message spec. Like responses, messages may carry keys
/// the consumer does not read.
public enum MessageMatcher {
    public static func match(_ body: [UInt8], _ spec: MessageSpec) -> [Mismatch] {
        BodyMatching.match(spec.contents, body, allowUnexpectedKeys: true)
    }

    /// Metadata the contract names must be present and match (as text); others are allowed.
    public static func matchMetadata(_ actual: [String: String], _ expected: [HeaderSpec]) -> [Mismatch] {
        var out: [Mismatch] = []
        for spec in expected {
            let path = "$.metadata.\(spec.name)"
            guard let value = actual[spec.name] else {
                out.append(Mismatch(path: path, expected: spec.values.first?.example.stringValue ?? "a value", actual: "(absent)", rule: "presence",
                                    message: "missing metadata \"\(spec.name)\""))
                continue
            }
            for pattern in spec.values.prefix(1) {
                out += StringMatching.match(pattern, value, path: path, what: "metadata \"\(spec.name)\"")
            }
        }
        return out
    }
}

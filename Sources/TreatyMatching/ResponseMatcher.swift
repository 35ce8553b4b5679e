import TreatyModel

/// Matches a provider's actual response against an interaction's response spec. Extra headers and
/// extra body keys are allowed (consumers ignore what they do not read).
public enum ResponseMatcher {
    public static func match(_ response: HTTPResponseData, _ spec: HTTPResponseSpec) -> [Mismatch] {
        var out: [Mismatch] = []
        if let rule = spec.statusRule {
            if !rule.allows(response.status) {
                out.append(Mismatch(path: "$.status", expected: rule.description, actual: String(response.status), rule: "$statusCode",
                                    message: "expected a status that is \(rule), got \(response.status)"))
            }
        } else if response.status != spec.status {
            out.append(Mismatch(path: "$.status", expected: String(spec.status), actual: String(response.status), rule: "equality",
                                message: "expected status \(spec.status), got \(response.status)"))
        }
        out += HeaderMatching.match(spec.headers, response.headers)
        out += BodyMatching.match(spec.body, response.body, contentType: response.header("Content-Type"), allowUnexpectedKeys: true)
        return out
    }
}

import TreatyModel

/// Matches text (paths, header and query values, text bodies) against string patterns.
enum StringMatching {
    static func match(_ pattern: Pattern, _ actual: String, path: String, what: String) -> [Mismatch] {
        if case .string(let expected) = pattern {
            guard expected == actual else {
                return [Mismatch(path: path, expected: clip(expected), actual: clip(actual), rule: "equality",
                                 message: "expected \(what) \"\(clip(expected, limit: 80))\", got \"\(clip(actual, limit: 80))\"")]
            }
            return []
        }
        return ValueMatcher(allowUnexpectedKeys: true).match(pattern, .string(actual), at: path)
    }
}

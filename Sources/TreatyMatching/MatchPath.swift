/// Builds readable paths for mismatches: `$.body.items[0]['odd key']`.
struct MatchPath {
    private(set) var text: String

    init(_ root: String) { text = root }

    func key(_ key: String) -> MatchPath {
        var copy = self
        if !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
            copy.text += "." + key
        } else {
            copy.text += "['" + key.replacingOccurrencesOfQuote() + "']"
        }
        return copy
    }

    func index(_ i: Int) -> MatchPath {
        var copy = self
        copy.text += "[\(i)]"
        return copy
    }
}

extension String {
    fileprivate func replacingOccurrencesOfQuote() -> String {
        var out = ""
        for c in self {
            if c == "'" { out += "\\'" } else { out.append(c) }
        }
        return out
    }
}

/// A line diff for people: `-` lines the contract expects, `+` lines that came, with context.
public enum TextDiff {
    /// Unified-style diff of two texts; empty when equal. Inputs beyond `maximumLines` are cut.
    /// Lines past `maximumLines` are not compared (the diff says how many were left out), and a line
    /// longer than `maximumLineLength` characters is cut, saying how much: a provider's 64 MiB line
    /// must not land whole in a JUnit or HTML report.
    public static func unified(expected: String, actual: String, context: Int = 3, maximumLines: Int = 400,
                               maximumLineLength: Int = 1000) -> String {
        let allA = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let allB = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedCount = allA.count, actualCount = allB.count
        let a = Array(allA.prefix(maximumLines)), b = Array(allB.prefix(maximumLines))
        if a == b && expectedCount == actualCount { return "" }
        // Longest common subsequence table, from the end.
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        enum Line { case same(Substring), removed(Substring), added(Substring) }
        var lines: [Line] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                lines.append(.same(a[i])); i += 1; j += 1
            } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                lines.append(.removed(a[i])); i += 1
            } else {
                lines.append(.added(b[j])); j += 1
            }
        }
        // Keep changed lines and `context` lines around them.
        var keep = [Bool](repeating: false, count: lines.count)
        for (k, line) in lines.enumerated() {
            if case .same = line { continue }
            for c in max(0, k - context)...min(lines.count - 1, k + context) { keep[c] = true }
        }
        func clip(_ s: Substring) -> Substring {
            guard s.utf8.count > maximumLineLength else { return s }
            let kept = s.prefix(maximumLineLength)
            return kept + "… (\(s.count - kept.count) more characters cut)"
        }
        var out: [String] = []
        var skipped = false
        for (k, line) in lines.enumerated() {
            guard keep[k] else { skipped = true; continue }
            if skipped { out.append("  …"); skipped = false }
            switch line {
            case .same(let s): out.append("  " + clip(s))
            case .removed(let s): out.append("- " + clip(s))
            case .added(let s): out.append("+ " + clip(s))
            }
        }
        if skipped { out.append("  …") }
        let left = max(expectedCount, actualCount) - maximumLines
        if left > 0 { out.append("  … (\(left) more line\(left == 1 ? "" : "s") not compared)") }
        return out.joined(separator: "\n")
    }
}

/// Makes a string that a regular expression matches, for the mock's `"generate": "regex"`.
/// Covers the common subset (literals, escapes, classes, groups, alternation, quantifiers);
/// returns nil for anything else, and the caller falls back to the example.
///
/// Counts come from contracts, so they are bounded: a repeat takes 0 to 1000, a group nests at most
/// `maximumDepth` deep, and the text made is at most `maximumLength` characters (`((a{1000}){1000}){1000}`
/// would otherwise ask for 10⁹); past a bound the generator gives up and the example is sent.
struct RegexGenerator {
    static let maximumLength = 10_000
    static let maximumDepth = 32

    var random = SystemRandomNumberGenerator()
    private var chars: [Character] = []
    private var index = 0
    private var depth = 0
    /// Characters still allowed, shared with the groups' generators.
    private var budget = maximumLength

    mutating func generate(_ pattern: String) -> String? {
        chars = Array(pattern)
        index = 0
        guard let out = alternation(), index == chars.count else { return nil }
        return out
    }

    private var atEnd: Bool { index >= chars.count }

    private mutating func alternation() -> String? {
        var branches: [String] = []
        while true {
            guard let b = sequence() else { return nil }
            branches.append(b)
            if !atEnd, chars[index] == "|" { index += 1; continue }
            break
        }
        return branches.randomElement(using: &random)
    }

    private mutating func sequence() -> String? {
        var out = ""
        while !atEnd, chars[index] != "|", chars[index] != ")" {
            guard let atom = atom() else { return nil }
            guard let (lo, hi) = quantifier() else { return nil }
            let count = Int.random(in: lo...hi, using: &random)
            for _ in 0..<count {
                guard let piece = atom(&self) else { return nil }
                budget -= piece.count
                guard budget >= 0 else { return nil }
                out += piece
            }
        }
        return out
    }

    /// Returns a closure producing one occurrence (classes draw afresh each time).
    private mutating func atom() -> ((inout RegexGenerator) -> String?)? {
        let c = chars[index]
        index += 1
        switch c {
        case "^", "$": return { _ in "" }
        case ".": return { g in String(g.pick(Self.word)) }
        case "(":
            if index + 1 < chars.count, chars[index] == "?", chars[index + 1] == ":" { index += 2 }
            let start = index
            var depth = 1
            while !atEnd, depth > 0 {
                if chars[index] == "\\" { index += 2; continue }
                if chars[index] == "(" { depth += 1 }
                if chars[index] == ")" { depth -= 1 }
                index += 1
            }
            guard depth == 0 else { return nil }
            let inner = String(chars[start..<(index - 1)])
            return { g in
                guard g.depth < Self.maximumDepth else { return nil }
                var sub = RegexGenerator()
                sub.depth = g.depth + 1
                sub.budget = g.budget
                // The caller charges what the group made against its own budget.
                return sub.generate(inner)
            }
        case "[":
            guard let set = characterClass() else { return nil }
            return { g in set.isEmpty ? nil : String(g.pick(set)) }
        case "\\":
            guard !atEnd else { return nil }
            let e = chars[index]
            index += 1
            switch e {
            case "d": return { g in String(g.pick(Self.digits)) }
            case "w": return { g in String(g.pick(Self.word)) }
            case "s": return { _ in " " }
            case "D", "W", "S", "b", "B": return nil
            default: return { _ in String(e) }
            }
        case "*", "+", "?", "{", ")", "|": return nil
        default: return { _ in String(c) }
        }
    }

    private mutating func quantifier() -> (Int, Int)? {
        guard !atEnd else { return (1, 1) }
        var result: (Int, Int)
        switch chars[index] {
        case "*": index += 1; result = (0, 3)
        case "+": index += 1; result = (1, 3)
        case "?": index += 1; result = (0, 1)
        case "{":
            guard let close = chars[index...].firstIndex(of: "}") else { return nil }
            let body = String(chars[(index + 1)..<close])
            index = close + 1
            // Checked before any arithmetic: `{-5}` made a negative count (which trapped) and
            // `{9223372036854775807,}` overflowed `lo + 3`.
            let parts = body.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.allSatisfy({ $0.map { (0...1000).contains($0) } ?? true }) else { return nil }
            if parts.count == 1, let n = parts[0] { result = (n, n) }
            else if parts.count == 2, let lo = parts[0] { result = (lo, parts[1] ?? Swift.min(lo + 3, 1000)) }
            else { return nil }
            guard result.0 <= result.1 else { return nil }
        default: return (1, 1)
        }
        if !atEnd, chars[index] == "?" || chars[index] == "+" { index += 1 }  // lazy / possessive
        return result
    }

    private mutating func characterClass() -> [Character]? {
        var set: [Character] = []
        var negate = false
        if !atEnd, chars[index] == "^" { negate = true; index += 1 }
        var first = true
        while !atEnd, chars[index] != "]" || first {
            first = false
            var c = chars[index]
            index += 1
            if c == "\\" {
                guard !atEnd else { return nil }
                let e = chars[index]
                index += 1
                switch e {
                case "d": set += Self.digits; continue
                case "w": set += Self.word; continue
                case "s": set.append(" "); continue
                default: c = e
                }
            }
            if index + 1 < chars.count, chars[index] == "-", chars[index + 1] != "]" {
                let end = chars[index + 1]
                index += 2
                guard let a = c.unicodeScalars.first?.value, let b = end.unicodeScalars.first?.value, a <= b, b - a < 10_000 else { return nil }
                set += (a...b).compactMap { Unicode.Scalar($0).map(Character.init) }
            } else {
                set.append(c)
            }
        }
        guard !atEnd else { return nil }
        index += 1
        if negate {
            let excluded = Set(set)
            return Self.word.filter { !excluded.contains($0) }
        }
        return set
    }

    private mutating func pick(_ set: [Character]) -> Character { set.randomElement(using: &random)! }

    static let digits = Array("0123456789")
    static let word = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
}

/// Makes any text safe for XML 1.0: characters XML forbids (most control characters, lone
/// surrogates cannot occur in Swift strings, U+FFFE/U+FFFF) become visible `\xNN` escapes.
enum XMLText {
    static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !isAllowed($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isAllowed(scalar) {
                out.append(scalar)
            } else {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                for s in "\\x" + (hex.count < 2 ? "0" + hex : hex) { out.append(contentsOf: s.unicodeScalars) }
            }
        }
        return String(out)
    }

    static func isAllowed(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}

import TreatyMatching

/// Renders mismatches as the multi-line text used by the console and in JUnit failure bodies.
public enum MismatchText {
    public static func render(_ mismatches: [Mismatch]) -> String {
        mismatches.map { m in
            "\(m.path): \(m.message)\n    rule:     \(m.rule)\n    expected: \(m.expected)\n    actual:   \(m.actual)"
        }.joined(separator: "\n")
    }

    /// One line: "2 mismatches: $.status: expected status 200, got 404; …"
    public static func summary(_ mismatches: [Mismatch]) -> String {
        let head = mismatches.count == 1 ? "1 mismatch" : "\(mismatches.count) mismatches"
        return head + ": " + mismatches.prefix(3).map(\.description).joined(separator: "; ")
            + (mismatches.count > 3 ? "; …" : "")
    }
}

/// Seconds as plain decimal text (`0.012`), never with an exponent (the JUnit schema's rule).
public func decimalSeconds(_ seconds: Double) -> String {
    let millis = Int((max(0, seconds.isFinite ? seconds : 0) * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

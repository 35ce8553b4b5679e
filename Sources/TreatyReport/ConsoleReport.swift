/// Plain-text rendering of results for the terminal.
public enum ConsoleReport {
    /// One result: `  PASS  name (12 ms)`, with mismatches or the error below a failure.
    public static func line(for result: CaseResult, verbose: Bool = false, paint: (String, String) -> String = { s, _ in s }) -> String {
        let time = "(\(Int((result.duration * 1000).rounded())) ms)"
        var text: String
        switch result.outcome {
        case .passed:
            text = "  \(paint("PASS", "32"))   \(result.name) \(time)"
        case .failed(let mismatches):
            text = "  \(paint("FAIL", "31"))   \(result.name) \(time)\n" + indent(MismatchText.render(mismatches), by: 9)
            if let diff = result.bodyDiff, !diff.isEmpty {
                text += "\n" + indent("body diff (- expected example, + actual):\n" + diff, by: 9)
            }
        case .error(let kind, let message):
            text = "  \(paint("ERROR", "31;1"))  \(result.name) \(time)\n" + indent("\(kind): \(message)", by: 9)
        case .skipped(let reason):
            text = "  \(paint("SKIP", "33"))   \(result.name): \(reason)"
        }
        // Failures always show the exchange; passes only when asked.
        if !result.log.isEmpty, verbose || !result.passed {
            text += "\n" + indent(result.log.trimmingTrailingNewlines(), by: 9)
        }
        return text
    }

    /// `3 interactions: 2 passed, 1 failed, 0 errors in 0.042 s`
    public static func summary(_ report: VerificationReport) -> String {
        let passed = report.tests - report.failures - report.errors - report.suites.reduce(0) { $0 + $1.skipped }
        return "\(report.tests) interaction(s): \(passed) passed, \(report.failures) failed, \(report.errors) error(s) in \(decimalSeconds(report.duration)) s"
    }

    static func indent(_ text: String, by n: Int) -> String {
        let pad = String(repeating: " ", count: n)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}

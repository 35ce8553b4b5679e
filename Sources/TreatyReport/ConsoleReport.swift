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
        let skipped = report.suites.reduce(0) { $0 + $1.skipped }
        return "\(report.tests) interaction(s): \(passed) passed, \(report.failures) failed, \(report.errors) error(s)"
            + (skipped > 0 ? ", \(skipped) skipped" : "") + " in \(decimalSeconds(report.elapsed)) s"
    }

    /// One row per contract: passed, failed, errors, skipped and time, aligned.
    public static func table(_ report: VerificationReport, paint: (String, String) -> String = { s, _ in s }) -> String {
        let header = ["CONTRACT", "CONSUMER → PROVIDER", "PASSED", "FAILED", "ERRORS", "SKIPPED", "TIME (s)"]
        let rows = report.suites.map { suite in
            [suite.file, suite.name, String(suite.cases.count - suite.failures - suite.errors - suite.skipped), String(suite.failures),
             String(suite.errors), String(suite.skipped), decimalSeconds(suite.duration)]
        }
        guard !rows.isEmpty else { return "" }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).enumerated().map { column, pair in
                let (cell, width) = pair
                let padding = String(repeating: " ", count: width - cell.count)
                return column >= 2 ? padding + cell : cell + padding  // numbers right-aligned
            }.joined(separator: "  ")
        }
        var lines = ["", line(header)]
        for (suite, row) in zip(report.suites, rows) {
            let text = line(row)
            lines.append(suite.failures + suite.errors > 0 ? paint(text, "31") : text)
        }
        return lines.joined(separator: "\n")
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

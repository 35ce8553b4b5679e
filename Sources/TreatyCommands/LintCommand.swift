import ArgumentParser
import TreatyModel

/// `treaty lint [PATH...]`: every problem in the contracts at once, compiler-style.
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check contracts and report every problem as file:line:column: error|warning: message.",
        discussion: "Exits 1 when any error is found, 0 otherwise (warnings alone do not fail)."
    )

    @OptionGroup var contracts: ContractOptions

    func run() async throws {
        let report = Self.lint(contracts.resolvedPaths(), root: contracts.root)
        if !report.text.isEmpty { Terminal.out(report.text) }
        if report.failed { throw ExitCode(1) }
    }

    struct Report {
        var text: String
        var failed: Bool
    }

    /// Lints `paths` and returns the printed text; pure apart from reading the files.
    static func lint(_ paths: [String], root: String) -> Report {
        let loaded = ContractFiles(root: root).load(paths)
        let diagnostics = loaded.diagnostics.sortedBySource()
        var lines = diagnostics.map(\.description)
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        let files = loaded.filesRead == 1 ? "1 contract" : "\(loaded.filesRead) contracts"
        lines.append("\(files) checked: \(plural(errors, "error")), \(plural(warnings, "warning"))")
        return Report(text: lines.joined(separator: "\n"), failed: errors > 0)
    }
}

func plural(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }

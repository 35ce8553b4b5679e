import ArgumentParser
import Foundation

/// The `treaty` command: lint, mock and verify contracts.
public struct TreatyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "treaty",
        abstract: "Contract testing and API mocking: lint contracts, serve them as mocks, verify providers.",
        version: "0.1.0",
        subcommands: [LintCommand.self, MockCommand.self, VerifyCommand.self, PublishCommand.self, ImportCommand.self]
    )

    public init() {}

    /// Parses the arguments, runs the command and exits with Treaty's exit codes: 0 success,
    /// 1 verification failures or lint errors, 2 usage or contract errors.
    public static func runMain() async -> Never {
        // A reader that goes away (a pipe into `head`) gives EPIPE on write, not a signal that kills us.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot(MockCommand.expandingBareCORS(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { Terminal.out(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { Terminal.err(message) }
            if code == .validationFailure { Foundation.exit(2) }
            Foundation.exit(code.rawValue)
        }
    }
}

/// Options shared by commands that read contracts.
struct ContractOptions: ParsableArguments {
    @Argument(help: "Contract files or folders (searched recursively for contracts).")
    var paths: [String] = []

    @Option(help: "Folder that file references in contracts must stay inside.")
    var root: String = "."

    func resolvedPaths(default fallback: String = "Contracts") -> [String] {
        paths.isEmpty ? [fallback] : paths
    }

    /// Loads the contracts, prints their diagnostics, and exits 2 when any is an error or none is found.
    func loadForServing(command: String) throws -> [Contract] {
        try loadedForServing(command: command).contracts
    }

    /// The same, with what the load found besides the contracts (their sources' hashes).
    func loadedForServing(command: String) throws -> ContractFiles.Loaded {
        let loaded = ContractFiles(root: root).load(resolvedPaths())
        printDiagnostics(loaded.diagnostics)
        if loaded.diagnostics.containsErrors { throw ExitCode(2) }
        if loaded.contracts.isEmpty {
            Terminal.err("treaty \(command): no contracts found in \(resolvedPaths().joined(separator: ", "))")
            throw ExitCode(2)
        }
        return loaded
    }
}

/// Prints diagnostics compiler-style, errors in red on a terminal.
func printDiagnostics(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics.sortedBySource() {
        Terminal.err(diagnostic.description)
    }
}

import TreatyModel

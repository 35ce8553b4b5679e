import ArgumentParser
import Foundation
import TreatyModel
import TreatyReport
import TreatyVerify

/// `treaty verify [PATH...] --base-url URL`: replay contracts against a real provider.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay contracts against a running provider and report each interaction.",
        discussion: "Exit codes: 0 all passed, 1 any failed or errored, 2 usage or contract errors."
    )

    @OptionGroup var contracts: ContractOptions

    @Option(help: "Where the provider listens, such as http://127.0.0.1:8080.")
    var baseURL: String

    @Option(help: "Provider state endpoint, called with {state, params, action} before and after interactions.")
    var stateURL: String?

    @Option(help: "Write a JUnit XML report to this file.")
    var junit: String?

    @Option(help: "Seconds each exchange may take.")
    var timeout: Double = 30

    @Option(name: .customLong("header"), help: "Extra request header 'Name: value' (repeatable).")
    var headers: [String] = []

    @Flag(help: "Print the exchange of passing interactions too (failures always show theirs).")
    var verbose = false

    @Flag(help: "Speak HTTP/2 to an http:// provider without negotiation (h2c prior knowledge).")
    var http2PriorKnowledge = false

    func validate() throws {
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw ValidationError("--base-url must start with http:// or https://, got \(baseURL)")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        for header in headers where !header.contains(":") {
            throw ValidationError("--header must look like 'Name: value', got \(header)")
        }
    }

    func run() async throws {
        let loaded = try contracts.loadForServing(command: "verify")
        let extra = headers.map { header -> (name: String, value: String) in
            let colon = header.firstIndex(of: ":")!
            return (String(header[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        let verifier = Verifier(options: VerifyOptions(baseURL: baseURL, stateURL: stateURL, timeout: timeout, extraHeaders: extra,
                                                   http2PriorKnowledge: http2PriorKnowledge))
        let timestamp = ISO8601DateFormatter().string(from: Date())
        var suites: [SuiteResult] = []
        let verbose = self.verbose
        for contract in loaded {
            Terminal.out("Verifying \(contract.file) (\(contract.consumer) → \(contract.provider)) against \(baseURL)")
            let suite = await verifier.verify(contract) { result in
                Terminal.out(ConsoleReport.line(for: result, verbose: verbose, paint: Terminal.paint))
            }
            suites.append(suite)
        }
        let report = VerificationReport(suites: suites, timestamp: timestamp)
        Terminal.out(ConsoleReport.summary(report))
        if let junit {
            do {
                try JUnitWriter.write(report, to: junit)
                Terminal.out("JUnit report written to \(junit)")
            } catch {
                Terminal.err("treaty verify: error: \(error.message) (\(error.cause ?? ""))")
                throw ExitCode(2)
            }
        }
        if !report.passed { throw ExitCode(1) }
    }
}

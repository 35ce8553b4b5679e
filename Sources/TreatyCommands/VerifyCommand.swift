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
        discussion: """
        Exit codes: 0 all passed, 1 any failed or errored, or nothing was verified (no interaction selected, \
        or all skipped) without --allow-empty, 2 usage or contract errors.
        Failures (the provider answered differently) and errors (no answer to judge: connection refused,
        timeout, TLS, reset, malformed answer, state setup failed) are reported apart.
        """
    )

    @OptionGroup var contracts: ContractOptions

    @Option(name: .customLong("base-url"),
            help: "Where the provider listens (http://127.0.0.1:8080), or PROVIDER=URL for one provider (repeatable).")
    var baseURLs: [String] = []

    @Option(help: "Provider state endpoint, called with {state, params, action} before and after interactions.")
    var stateURL: String?

    @Option(help: "The provider's message producer, asked with {description, providerStates} for each message interaction.")
    var messageURL: String?

    // Reports
    @Option(help: "Write a JUnit XML report to this file (every contract in one file).")
    var junit: String?

    @Option(help: "Write a JSON report to this file (Schemas/treaty-verify-report-v1.schema.json).")
    var json: String?

    @Option(help: "Write a self-contained HTML report to this file.")
    var html: String?

    // Transport
    @Option(help: "Seconds each exchange may take.")
    var timeout: Double = 30

    @Option(help: "Seconds the whole run may take; what is not done by then is an error.")
    var totalTimeout: Double?

    @Option(help: "Interactions in flight at once.")
    var concurrency: Int = 4

    @Option(name: .customLong("header"), help: "Extra request header 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: "Environment variable holding a bearer token sent as 'Authorization: Bearer …'.")
    var bearerTokenEnv: String?

    @Option(help: "PEM file of certificate authorities to trust instead of the system's.")
    var cacert: String?

    @Option(help: "Client certificate (PEM) for providers that ask for one.")
    var cert: String?

    @Option(help: "Private key (PEM) of --cert.")
    var key: String?

    @Flag(help: "Do not verify the provider's certificate (self-signed test certificates).")
    var insecure = false

    @Option(help: "HTTP proxy for every exchange, such as http://proxy:3128 (the environment's proxy is ignored).")
    var proxy: String?

    @Flag(help: "Speak HTTP/2 to an http:// provider without negotiation (h2c prior knowledge).")
    var http2PriorKnowledge = false

    @Option(help: "Seconds to wait for each callback after the answer (plus the callback's own delay).")
    var callbackTimeout: Double = 5

    @Option(help: "Address the callback receiver listens on; the provider must reach it.")
    var callbackHost: String = "127.0.0.1"

    // Selection
    @Option(name: .customLong("interaction"), help: "Only interactions whose name is this or matches this regular expression (repeatable).")
    var interactions: [String] = []

    @Option(name: .customLong("state"), help: "Only interactions that need this provider state (repeatable).")
    var states: [String] = []

    @Option(name: .customLong("consumer"), help: "Only contracts of this consumer (repeatable).")
    var consumers: [String] = []

    @Option(help: "Verify shard I of N (1-based, such as 2/4): a stable split by contract file and interaction name.")
    var shard: String?

    @Option(help: "Re-run only the interactions that failed or errored in this earlier JSON report.")
    var onlyFailed: String?

    // Console
    @Flag(help: "Print the exchange of passing interactions too (failures always show theirs).")
    var verbose = false

    @Flag(help: "Print only failures, errors and the summary.")
    var quiet = false

    @Flag(help: "Exit 0 when nothing was verified (no interaction selected, or all skipped); without it that is a failure.")
    var allowEmpty = false

    func validate() throws {
        if baseURLs.isEmpty { throw ValidationError("give --base-url URL (or --base-url PROVIDER=URL for each provider)") }
        for entry in baseURLs {
            let url = Self.splitBaseURL(entry).url
            guard ["http://", "https://", "tcp://", "udp://"].contains(where: { url.hasPrefix($0) }) else {
                throw ValidationError("--base-url must start with http:// or https:// (tcp:// or udp:// for raw contracts), got \(entry)")
            }
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
        if let totalTimeout, !(totalTimeout > 0 && totalTimeout <= 86_400) {
            throw ValidationError("--total-timeout must be between 0 and 86400 seconds")
        }
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 256") }
        guard callbackTimeout > 0, callbackTimeout <= 600 else { throw ValidationError("--callback-timeout must be between 0 and 600 seconds") }
        for header in headers where !header.contains(":") {
            throw ValidationError("--header must look like 'Name: value', got \(header)")
        }
        if (cert == nil) != (key == nil) && key != nil { throw ValidationError("--key needs --cert") }
        if let shard, Self.parseShard(shard) == nil {
            throw ValidationError("--shard must look like I/N with 1 ≤ I ≤ N, such as 2/4; got \(shard)")
        }
        if verbose && quiet { throw ValidationError("give --verbose or --quiet, not both") }
        for pattern in interactions where (try? NSRegularExpression(pattern: pattern)) == nil && pattern.isEmpty {
            throw ValidationError("--interaction must not be empty")
        }
    }

    static func splitBaseURL(_ entry: String) -> (provider: String?, url: String) {
        if let equals = entry.firstIndex(of: "="), !entry[..<equals].contains(":") {
            return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
        }
        return (nil, entry)
    }

    static func parseShard(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else { return nil }
        return (i, n)
    }

    func run() async throws {
        let loaded = try contracts.loadForServing(command: "verify")
        var extra = headers.map { header -> (name: String, value: String) in
            let colon = header.firstIndex(of: ":")!
            return (String(header[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        if let bearerTokenEnv {
            guard let token = ProcessInfo.processInfo.environment[bearerTokenEnv], !token.isEmpty else {
                Terminal.err("treaty verify: error: --bearer-token-env \(bearerTokenEnv): the variable is not set or empty")
                throw ExitCode(2)
            }
            extra.removeAll { $0.name.caseInsensitiveEquals("Authorization") }
            extra.append(("Authorization", "Bearer \(token)"))
        }
        var defaultURL: String?
        var perProvider: [String: String] = [:]
        for entry in baseURLs {
            let (provider, url) = Self.splitBaseURL(entry)
            if let provider { perProvider[provider] = url } else { defaultURL = url }
        }
        for contract in loaded where defaultURL == nil && perProvider[contract.provider] == nil {
            Terminal.err("treaty verify: error: no --base-url for provider \"\(contract.provider)\" (\(contract.file)); "
                         + "give --base-url \(contract.provider)=URL or a --base-url URL for all")
            throw ExitCode(2)
        }
        let targets = try select(loaded)
        let transport = TransportOptions(timeout: timeout, connectTimeout: min(10, timeout), http2PriorKnowledge: http2PriorKnowledge,
                                         caFile: cacert, clientCertificate: cert, clientKey: key, insecure: insecure, proxy: proxy)
        var options = VerifyOptions(baseURL: defaultURL ?? "", stateURL: stateURL, extraHeaders: extra, baseURLs: perProvider,
                                    transport: transport, concurrency: concurrency, totalTimeout: totalTimeout,
                                    callbackTimeout: callbackTimeout, callbackHost: callbackHost)
        options.messageURL = messageURL
        let total = targets.reduce(0) { $0 + $1.positions.count }
        let timestamp = ISO8601DateFormatter().string(from: Date())
        if !quiet {
            for target in targets {
                Terminal.out("Verifying \(target.contract.file) (\(target.contract.consumer) → \(target.contract.provider), "
                             + "\(plural(target.positions.count, "interaction"))) against \(options.baseURL(for: target.contract.provider))")
            }
        }
        let console = LiveConsole(targets: targets, total: total, verbose: verbose, quiet: quiet)
        let started = ContinuousClock.now
        let suites = await Verifier(options: options).verify(targets) { console.finished($0) }
        console.end()
        let wall = ContinuousClock.now - started
        let report = VerificationReport(suites: suites, timestamp: timestamp,
                                        wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18)
        Terminal.out(ConsoleReport.table(report, paint: Terminal.paint))
        Terminal.out(ConsoleReport.summary(report))
        do {
            if let junit {
                try JUnitWriter.write(report, to: junit)
                if !quiet { Terminal.out("JUnit report written to \(junit)") }
            }
            if let json {
                try JSONReport.write(report, to: json)
                if !quiet { Terminal.out("JSON report written to \(json)") }
            }
            if let html {
                try HTMLReport.write(report, to: html)
                if !quiet { Terminal.out("HTML report written to \(html)") }
            }
        } catch {
            Terminal.err("treaty verify: error: \(error.message)" + (error.cause.map { " (\($0))" } ?? ""))
            throw ExitCode(2)
        }
        if !report.passed { throw ExitCode(1) }
        // A run that checked nothing proves nothing: a filter that matches no name, or a provider
        // whose interactions are all skipped, must not look green in CI (Pact's verifier likewise fails when it finds no pacts).
        let skipped = report.suites.reduce(0) { $0 + $1.skipped }
        if report.tests - skipped == 0, !allowEmpty {
            let why = report.tests == 0 ? "no interaction selected" : "\(plural(report.tests, "interaction")) selected, all skipped"
            Terminal.err("treaty verify: error: nothing was verified (\(why)); give --allow-empty if that is expected")
            throw ExitCode(1)
        }
    }

    /// The interactions to verify: by consumer, name, state, earlier failures and shard.
    func select(_ loaded: [Contract]) throws -> [VerifyTarget] {
        var failed: Set<String>?
        if let onlyFailed {
            let bytes: [UInt8]
            do {
                bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: onlyFailed)))
            } catch {
                Terminal.err("treaty verify: error: cannot read --only-failed \(onlyFailed): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            do {
                failed = Set(try JSONReport.failedCases(in: bytes).map { $0.file + "\u{0}" + $0.name })
            } catch {
                Terminal.err("treaty verify: error: --only-failed \(onlyFailed): \(error.message)" + (error.cause.map { " (\($0))" } ?? ""))
                throw ExitCode(2)
            }
        }
        let patterns = interactions.map { text in (text, try? NSRegularExpression(pattern: text)) }
        let shard = self.shard.flatMap(Self.parseShard)
        var targets: [VerifyTarget] = []
        for contract in loaded where consumers.isEmpty || consumers.contains(contract.consumer) {
            let positions = contract.interactions.indices.filter { position in
                let interaction = contract.interactions[position]
                if !patterns.isEmpty && !patterns.contains(where: { text, regex in
                    interaction.name == text || regex.map { $0.firstMatch(in: interaction.name, range: NSRange(interaction.name.startIndex..., in: interaction.name)) != nil } ?? false
                }) { return false }
                if !states.isEmpty && !interaction.states.contains(where: { states.contains($0.name) }) { return false }
                if let failed, !failed.contains(contract.file + "\u{0}" + interaction.name) { return false }
                if let shard, Self.shardOf(file: contract.file, interaction: interaction.name, count: shard.count) != shard.index { return false }
                return true
            }
            if !positions.isEmpty { targets.append(VerifyTarget(contract: contract, positions: positions)) }
        }
        if targets.isEmpty { Terminal.out("treaty verify: no interaction selected") }
        return targets
    }

    /// 1-based shard of an interaction: FNV-1a of file and name, so adding an interaction moves no other.
    static func shardOf(file: String, interaction: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(file.utf8) + [0] + Array(interaction.utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(count)) + 1
    }
}

/// The console while a run goes on: results printed in contract order as soon as all before them
/// are done, and on a terminal a progress line (done/total, elapsed) kept at the bottom.
final class LiveConsole: @unchecked Sendable {  // called from the verifier's one thread, then from the command
    private let targets: [VerifyTarget]
    private let total: Int
    private let verbose: Bool
    private let quiet: Bool
    private var pending: [[CaseResult?]]
    private var next = (suite: 0, slot: 0)
    private var lastProgress = 0.0
    private var done = 0
    private var elapsed = 0.0
    private let live = Terminal.colour || isatty(STDOUT_FILENO) != 0

    init(targets: [VerifyTarget], total: Int, verbose: Bool, quiet: Bool) {
        self.targets = targets
        self.total = total
        self.verbose = verbose
        self.quiet = quiet
        pending = targets.map { Array(repeating: nil, count: $0.positions.count) }
    }

    func finished(_ progress: VerifyProgress) {
        pending[progress.suite][progress.slot] = progress.result
        done = progress.done
        elapsed = progress.elapsed
        clearProgress()
        while next.suite < pending.count {
            if next.slot >= pending[next.suite].count {
                next = (next.suite + 1, 0)
                continue
            }
            guard let result = pending[next.suite][next.slot] else { break }
            if !quiet || !result.passed {
                Terminal.out(ConsoleReport.line(for: result, verbose: verbose, paint: Terminal.paint))
            }
            next.slot += 1
        }
        showProgress()
    }

    private func clearProgress() {
        if live && !quiet { FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func showProgress() {
        guard !quiet, done < total else { return }
        let text = "[\(done)/\(total)] \(decimalSeconds(elapsed)) s"
        if live {
            FileHandle.standardOutput.write(Data(Terminal.paint(text, "2").utf8))
        } else if elapsed - lastProgress >= 5 {
            lastProgress = elapsed
            Terminal.out("… \(text)")
        }
    }

    func end() { clearProgress() }
}

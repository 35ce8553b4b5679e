import ArgumentParser
import Dispatch
import Foundation
import TreatyMock
import TreatyModel

/// `treaty mock [PATH...]`: serve contracts on local ports until Ctrl-C or SIGTERM.
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract: "Serve contracts as mock providers, one port per contract (default folder: Contracts).",
        discussion: """
            Ports: a contract's own "mock": {"port": N} is used; contracts without one get --port, --port+1, \
            … or a free port when --port is not given. --port 0 makes every port ephemeral.

            A request that no interaction matches gets --unmatched-status (default 404) with a JSON body \
            naming the nearest interaction and each mismatch, and a log line on standard error.
            """
    )

    @OptionGroup var contracts: ContractOptions

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "First port for contracts without their own; 0 makes every port ephemeral.")
    var port: Int?

    @Option(help: "HTTP status for requests no interaction matches.")
    var unmatchedStatus: Int = 404

    @Flag(help: "Log every request, not only unmatched ones.")
    var verbose = false

    @Option(help: "Access log format: text or json (one object per line).")
    var logFormat: String = "text"

    @Option(help: ArgumentHelp(
        "Answer CORS for these origins (comma-separated, with credentials); * allows any origin without credentials. A bare --cors means *.",
        valueName: "origins"))
    var cors: String?

    @Option(help: "Seconds a connection may stay open without a request.")
    var idleTimeout: Double = 60

    @Option(help: "Seconds a request may take to arrive, first byte to last (408 after).")
    var requestTimeout: Double = 10

    @Option(help: "Connections open at once per port; more are refused.")
    var maxConnections: Int = 4096

    @Option(help: "Largest request body in bytes (413 above).")
    var maxBody: Int = 16 << 20

    @Option(help: "Serve the admin API on this port (0 picks a free one); see docs/admin-api.md.")
    var adminPort: Int?

    @Option(help: "Address the admin API binds; anything but loopback needs the token (--admin-token-env).")
    var adminHost: String = "127.0.0.1"

    @Option(help: "Environment variable holding a bearer token the admin API requires.")
    var adminTokenEnv: String = "TREATY_ADMIN_TOKEN"

    @Option(help: "Requests kept in the journal (a ring buffer: memory stays flat).")
    var journalSize: Int = 1000

    @Flag(help: "At shutdown, fail (exit 1) when an interaction was never called, listing them.")
    var expectAll = false

    @Option(name: .customLong("state"), help: "Serve only interactions whose provider states are all among these (repeatable).")
    var states: [String] = []

    @Flag(help: "Reload contracts when their files change; a change that does not load keeps the last good version.")
    var watch = false

    @Option(help: "Serve HTTPS with this PEM certificate (chain); needs --tls-key. HTTP/2 or HTTP/1.1 by ALPN.")
    var tlsCert: String?

    @Option(help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    @Flag(help: "Serve HTTPS with a certificate generated for this run (its file is printed at start; trust it with --cacert).")
    var tlsSelfSigned = false

    @Option(help: "Published messages also go here as webhooks (POST), unless a publish names its own --to.")
    var publishURL: String?

    @Option(help: "Event loop threads serving connections (default: half the cores, at least 1).")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256") }
        if let publishURL, !(publishURL.hasPrefix("http://") || publishURL.hasPrefix("https://")) {
            throw ValidationError("--publish-url must be an http:// or https:// URL, got \(publishURL)")
        }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsSelfSigned && tlsCert != nil { throw ValidationError("give --tls-self-signed or --tls-cert/--tls-key, not both") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if !(100...599).contains(unmatchedStatus) { throw ValidationError("--unmatched-status must be an HTTP status (100-599)") }
        if MockConfiguration.LogFormat(rawValue: logFormat) == nil { throw ValidationError("--log-format must be text or json") }
        for (name, value) in [("--idle-timeout", idleTimeout), ("--request-timeout", requestTimeout)] where !(value > 0 && value <= 86_400) {
            throw ValidationError("\(name) must be between 0 and 86400 seconds")
        }
        if maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        if maxBody < 0 { throw ValidationError("--max-body must not be negative") }
        if let adminPort, !(0...65535).contains(adminPort) { throw ValidationError("--admin-port must be between 0 and 65535") }
        if let cors, case .failure(let error) = CORSPolicy.parse(cors) { throw ValidationError(error.message) }
        if !(1...10_000_000).contains(journalSize) { throw ValidationError("--journal-size must be between 1 and 10000000") }
    }

    func run() async throws {
        MockServer.useThreads(threads)
        let shutdown = ShutdownSignal()
        let loaded = try contracts.loadedForServing(command: "mock")
        let bindings = Self.assignPorts(loaded.contracts, base: port).map { contract, port in
            MockBinding(responder: MockResponder(contract: contract, unmatchedStatus: unmatchedStatus,
                                                 state: MockState(selectedStates: states.isEmpty ? nil : Set(states))),
                        port: port)
        }
        var configuration = MockConfiguration(
            host: host, unmatchedStatus: unmatchedStatus, maximumBodyBytes: maxBody, verbose: verbose,
            cors: cors.flatMap { try? CORSPolicy.parse($0).get() },
            idleTimeout: idleTimeout, requestTimeout: requestTimeout, maximumConnections: maxConnections,
            logFormat: MockConfiguration.LogFormat(rawValue: logFormat) ?? .text)
        configuration.publishURL = publishURL
        // The generated certificate's private folder goes when the mock does (not on SIGKILL).
        var certificateFolder: String?
        defer { if let certificateFolder { try? FileManager.default.removeItem(atPath: certificateFolder) } }
        do {
            (configuration.tls, certificateFolder) = try tlsSettings()
            let json = configuration.logFormat == .json
            // Event loops hand lines to the writer's thread: a slow standard error never stalls them.
            let writer = LogWriter()
            defer { writer.flush(within: 2) }
            let log: @Sendable (String) -> Void = { line in
                if !json { return writer.log("treaty mock: " + line) }
                writer.log(line.hasPrefix("{") ? line : JSONNode.object([("message", .string(line))]).rendered())
            }
            let token = ProcessInfo.processInfo.environment[adminTokenEnv].flatMap { $0.isEmpty ? nil : $0 }
            let admin = adminPort.map {
                AdminSettings(port: $0, host: adminHost, token: token, resolver: FileReferenceResolver(root: contracts.root))
            }
            let neverCalled = try await MockServer.withMockRuntime(
                bindings, configuration: configuration, admin: admin, journalSize: journalSize, log: log
            ) { runtime in
                Terminal.out(Self.table(runtime.contracts))
                if let url = runtime.adminURL {
                    Terminal.out("admin API: \(url)" + (token == nil ? "" : " (bearer token from $\(adminTokenEnv))"))
                }
                let watcher = watch ? ContractWatcher(options: contracts, unmatchedStatus: unmatchedStatus, sources: loaded.sources) : nil
                let watching = watcher.map { w in Task { await w.run(runtime) } }
                if watch { Terminal.out("watching \(contracts.resolvedPaths().joined(separator: ", ")) for changes") }
                let signal = await shutdown.wait()
                watching?.cancel()
                writer.log("treaty mock: \(signal) received, shutting down")
                return runtime.neverCalled()
            }
            writer.flush(within: 2)
            if expectAll, !neverCalled.isEmpty {
                Terminal.err("treaty mock: \(plural(neverCalled.count, "interaction")) never called (--expect-all):")
                for (contract, interaction) in neverCalled { Terminal.err("  \(contract): \(interaction)") }
                throw ExitCode(1)
            }
        } catch let error as TreatyError {
            Terminal.err("treaty mock: error: \(error.message)" + (error.cause.map { " (\($0))" } ?? ""))
            throw ExitCode(2)
        }
    }

    /// The TLS settings asked for, and the folder made for a generated certificate. The
    /// certificate is written so clients can trust it, in a new folder only this user can enter
    /// (mkdtemp: an unpredictable name, mode 0700), so nobody else can plant or swap the file a
    /// client is told to trust.
    func tlsSettings() throws -> (TLSSettings?, String?) {
        if let tlsCert, let tlsKey { return (try TLSSettings.load(certificateFile: tlsCert, keyFile: tlsKey), nil) }
        guard tlsSelfSigned else { return (nil, nil) }
        let settings = try TLSSettings.selfSigned(names: [host])
        var template = Array((FileManager.default.temporaryDirectory.path + "/treaty-mock-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            Terminal.err("treaty mock: cannot make a folder for the self-signed certificate in \(FileManager.default.temporaryDirectory.path): "
                         + "\(String(cString: strerror(errno))); clients must skip verification")
            return (settings, nil)
        }
        let folder = String(cString: made)
        let file = folder + "/certificate.pem"
        do {
            try Data(settings.certificatePEM.utf8).write(to: URL(fileURLWithPath: file))
            Terminal.out("self-signed certificate: \(file) (curl --cacert \(file) …)")
        } catch {
            Terminal.err("treaty mock: cannot write the self-signed certificate to \(file): \(error); clients must skip verification")
        }
        return (settings, folder)
    }

    /// `--cors` may stand alone (any origin, as before origins could be listed) or take a list:
    /// ArgumentParser has no option with an optional value, so the command line is rewritten
    /// first. The next argument is the list only when it looks like one (`*`, or origins with
    /// `://`), so `--cors Contracts` still serves the folder `Contracts`.
    static func expandingBareCORS(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                out += arguments[(index - 1)...]
                break
            }
            guard argument == "--cors" else {
                out.append(argument)
                continue
            }
            if index < arguments.endIndex, Self.looksLikeOrigins(arguments[index]) {
                out.append("--cors=" + arguments[index])
                index += 1
            } else {
                out.append("--cors=*")
            }
        }
        return out
    }

    static func looksLikeOrigins(_ text: String) -> Bool {
        let entries = text.split(separator: ",")
        return !entries.isEmpty && entries.allSatisfy { $0.trimmingCharacters(in: .whitespaces) == "*" || $0.contains("://") }
    }

    /// Ports per the rules in the discussion above.
    static func assignPorts(_ contracts: [Contract], base: Int?) -> [(Contract, Int)] {
        if base == 0 { return contracts.map { ($0, 0) } }
        let taken = Set(contracts.compactMap(\.mock.port))
        var next = base
        return contracts.map { contract in
            if let own = contract.mock.port { return (contract, own) }
            guard var candidate = next else { return (contract, 0) }
            while taken.contains(candidate) { candidate += 1 }
            next = candidate + 1
            return (contract, candidate)
        }
    }

    static func table(_ served: [ServedContract]) -> String {
        let rows = served.map { [$0.url, "\($0.consumer) → \($0.provider)", String($0.interactions), $0.file] }
        let header = ["URL", "CONSUMER → PROVIDER", "INTERACTIONS", "CONTRACT"]
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            let padded = zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
            return String(padded.reversed().drop { $0 == " " }.reversed())
        }
        let title = "treaty mock: serving \(plural(served.count, "contract")) (Ctrl-C to stop)"
        return ([title, line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

/// Catches SIGINT and SIGTERM from the moment it is made, so a signal that arrives while the
/// servers start is not lost.
final class ShutdownSignal: @unchecked Sendable {  // immutable after init; cancel() is thread-safe
    private let stream: AsyncStream<String>
    private let sources: [any DispatchSourceSignal]

    init() {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
        self.stream = stream
        self.sources = sources
    }

    /// Returns the name of the first signal received.
    func wait() async -> String {
        var received = "signal"
        for await name in stream {
            received = name
            break
        }
        sources.forEach { $0.cancel() }
        return received
    }
}

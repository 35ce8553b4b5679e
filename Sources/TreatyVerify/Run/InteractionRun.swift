import Foundation
import TreatyMatching
import TreatyModel
import TreatyReport

/// One interaction's verification, as a chain of transfers on the multi engine: state setups
/// (`ProviderStates.swift`), the exchange of the interaction's kind (`Exchanges/`), the callbacks
/// it must make (`CallbackExpectations.swift`), state teardowns, and the result.
///
/// Every exchange ends in one `ExchangeResult`, which `conclude` turns into the next step; every
/// error goes through `fail`, which logs it and ends the interaction after its teardowns.
final class InteractionRun {
    let interaction: Interaction
    let suite: Int
    let slot: Int
    /// Position in the whole run, for starting in contract order.
    let order: Int
    let baseURL: String
    let options: VerifyOptions
    let receiver: CallbackReceiver?
    let multi: any TransferEngine
    let onFinish: (InteractionRun, CaseResult) -> Void
    /// Runs in the one-at-a-time lane (provider states, or a long poll and the call it waits for).
    var exclusive = false
    /// Another interaction of the same contract, by name (the call a long poll waits for).
    var interactionNamed: (String) -> Interaction? = { _ in nil }
    /// The contract's protobuf descriptors (gRPC calls).
    var protobuf: ProtobufSettings?
    /// The server's greeting on every raw TCP connection (the opening server steps of the contract's
    /// conversation that starts with the server), read before a conversation that starts with the client.
    var greeting: [SocketStep] = []

    var log: ExchangeLog
    /// Set when the interaction starts (not when it is queued).
    private var started = DispatchTime.now()
    var outcome: CaseResult.Outcome = .passed
    private var bodyDiff: String?
    var stateValues = JSONObject()
    private var finished = false
    var expectedCallbacks: [ExpectedCallback] = []
    /// The receiver's URL with a prefix of this run's own, so interactions running at the same
    /// time never take each other's callbacks.
    var callbackBase: String? { receiver.map { $0.url + "/run-\(order)" } }
    var callbackDeadline: DispatchTime?
    /// The outcome of an exchange running on a thread of its own, set by that thread, read by `tick`.
    let conversation = ConversationResult()
    var conversing = false
    /// The call a long poll waits for, made by `tick` once its time came.
    var releaseCall: (at: DispatchTime, request: HTTPRequestData, url: String, name: String)?

    init(interaction: Interaction, suite: Int, slot: Int, order: Int, baseURL: String, options: VerifyOptions, receiver: CallbackReceiver?,
         multi: any TransferEngine, onFinish: @escaping (InteractionRun, CaseResult) -> Void) {
        self.interaction = interaction
        self.suite = suite
        self.slot = slot
        self.order = order
        self.baseURL = baseURL
        self.options = options
        self.receiver = receiver
        self.multi = multi
        self.onFinish = onFinish
        // Credentials given on the command line stay out of logs and reports.
        log = ExchangeLog(masked: Set(["authorization", "proxy-authorization"] + options.extraHeaders.map { $0.name.lowercased() }))
    }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    func begin() {
        started = .now()
        guard interaction.kind.name.verifiedByVerifier else {
            return finish(.skipped(reason: "kind \(interaction.kind.name.displayName) is not verified yet"))
        }
        stateValues = JSONObject(interaction.states.flatMap(\.params.members))
        guard !interaction.states.isEmpty else { return send() }
        guard options.stateURL != nil else {
            log.line("# states \(interaction.states.map { "\"\($0.name)\"" }.joined(separator: ", ")) not set up: no --state-url given")
            return send()
        }
        setUp(0)
    }

    /// Ends an interaction that never started (the overall timeout ran out first).
    func finishUnstarted(_ error: VerifyError) {
        finished = true
        onFinish(self, CaseResult(name: interaction.name, kind: interaction.kind.name.displayName, duration: 0, outcome: error.outcome))
    }

    /// Ends an interaction that was waiting (for callbacks) when the overall timeout ran out.
    func abandon(_ error: VerifyError) {
        guard !finished, isWaitingForCallbacks else { return }
        callbackDeadline = nil
        fail(error)
    }

    // MARK: the exchange

    /// Runs the interaction's exchange: one case per kind, each in its own file under `Exchanges/`.
    func send() {
        switch interaction.kind {
        case .http(let http): httpExchange(http)
        case .sse(let sse): sseExchange(sse)
        case .longPoll(let poll): longPollExchange(poll)
        case .websocket(let websocket): webSocketExchange(websocket)
        case .message(let spec): messageExchange(spec)
        case .jsonrpc(let call): jsonRPCExchange(call)
        case .grpc(let call): grpcExchange(call)
        case .tcp(let tcp): tcpExchange(tcp)
        case .udp(let udp): udpExchange(udp)
        case .synchronousMessage: conclude(.skipped("kind \(interaction.kind.name.displayName) is not verified yet"))
        }
    }

    /// Builds the request that opens an interaction served over HTTP, with the state values and
    /// this run's callback URL, and the URL to send it to; nil (the interaction ended with an
    /// error) when it has callbacks and no receiver listens for them.
    func buildRequest(_ spec: HTTPRequestSpec, eventStream: Bool = false) -> (request: HTTPRequestData, url: String)? {
        if !interaction.callbacks.isEmpty && receiver == nil {
            fail(.callbackReceiver(host: options.callbackHost))
            return nil
        }
        var built = RequestBuilder.build(spec, extraHeaders: options.extraHeaders, generator: generator(for: HTTPRequestData(method: spec.method, target: "/")))
        if eventStream, !built.headers.contains(where: { $0.name.caseInsensitiveEquals("Accept") }) {
            built.headers.append(("Accept", "text/event-stream"))
        }
        return (built, RequestBuilder.url(base: baseURL, request: built))
    }

    /// The value generator for `request`, with this run's state values, base URL and callback URL.
    func generator(for request: HTTPRequestData) -> ValueGenerator {
        ValueGenerator(context: .init(request: request, stateParameters: stateValues, baseURL: baseURL, callbackBaseURL: callbackBase))
    }

    /// Goes on from an exchange's result: a judged exchange without mismatches waits for its
    /// callbacks (if it expects any), anything else ends in the teardowns.
    func conclude(_ result: ExchangeResult) {
        switch result {
        case .judged(let mismatches, let diff):
            if let diff { bodyDiff = diff }
            guard mismatches.isEmpty else {
                outcome = .failed(mismatches)
                return tearDown()
            }
            awaitCallbacks()
        case .failed(let error):
            fail(error)
        case .skipped(let reason):
            outcome = .skipped(reason: reason)
            tearDown()
        }
    }

    /// The one place an interaction ends in an error: logged, reported, then the teardowns.
    func fail(_ error: VerifyError) {
        log.line("! \(error.kind): \(error.summary)")
        outcome = error.outcome
        tearDown()
    }

    /// Waiting for something without a transfer: callbacks, the time to make a release call, or
    /// an exchange on a thread of its own.
    var isWaiting: Bool { callbackDeadline != nil || releaseCall != nil || conversing }

    /// Called by the scheduler on every pass of the multi loop: picks up an exchange that ran on a
    /// thread of its own, makes the call a long poll waits for once its time came, polls callbacks.
    func tick() {
        blockingExchangeEnded()
        makeReleaseCallIfDue()
        pollCallbacks()
    }

    func complete() {
        finish(outcome)
    }

    private func finish(_ outcome: CaseResult.Outcome) {
        guard !finished else { return }
        finished = true
        onFinish(self, CaseResult(name: interaction.name, kind: interaction.kind.name.displayName, duration: elapsed, outcome: outcome,
                                  log: log.text, bodyDiff: bodyDiff))
    }
}

/// What one exchange came to, whatever its kind.
enum ExchangeResult {
    /// The provider answered and the answer was judged; no mismatches means it passed (callbacks,
    /// if any, come next). `bodyDiff` shows the body against the contract's example.
    case judged([Mismatch], bodyDiff: String? = nil)
    /// The exchange could not be judged.
    case failed(VerifyError)
    /// The exchange was not made (a message interaction without `--message-url`).
    case skipped(String)
}

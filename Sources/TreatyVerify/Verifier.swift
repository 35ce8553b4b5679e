import Foundation
import TreatyMatching
import TreatyModel
import TreatyReport

/// The interactions of one contract to verify (all of them, or a selection by position).
public struct VerifyTarget: Sendable {
    public var contract: Contract
    /// Positions in `contract.interactions`, in contract order.
    public var positions: [Int]

    public init(contract: Contract, positions: [Int]? = nil) {
        self.contract = contract
        self.positions = positions ?? Array(contract.interactions.indices)
    }
}

/// A finished interaction, as the run reports it while going on.
public struct VerifyProgress: Sendable {
    public var done: Int
    public var total: Int
    /// Index of the contract in the targets, and of the interaction in the target's positions.
    public var suite: Int
    public var slot: Int
    public var result: CaseResult
    public var elapsed: Double
}

/// Replays contracts' interactions against a real provider with libcurl's multi interface and
/// judges each response with the same matching engine as the mock.
///
/// Up to `concurrency` interactions are in flight at once. Interactions without provider states
/// run freely; those with states run one at a time, in contract order, each between its own setup
/// and teardown, so one interaction's state never leaks into another's exchange. Results come back
/// in contract order whatever finished first.
public struct Verifier: Sendable {
    public let options: VerifyOptions

    public init(options: VerifyOptions) {
        self.options = options
    }

    /// Verifies every interaction of `contract`.
    public func verify(_ contract: Contract, progress: @escaping @Sendable (CaseResult) -> Void = { _ in }) async -> SuiteResult {
        await verify([VerifyTarget(contract: contract)]) { progress($0.result) }[0]
    }

    /// Verifies `targets`; `progress` is called (on the verifier's thread) as each interaction finishes.
    public func verify(_ targets: [VerifyTarget], progress: @escaping @Sendable (VerifyProgress) -> Void = { _ in }) async -> [SuiteResult] {
        let options = self.options
        let receiver = targets.contains { target in target.positions.contains { !target.contract.interactions[$0].callbacks.isEmpty } }
            ? await CallbackReceiver.start(host: options.callbackHost) : nil
        let suites: [SuiteResult] = await BlockingWork.run {
            Run(targets: targets, options: options, receiver: receiver, progress: progress).execute()
        }
        await receiver?.stop()
        return suites
    }

    /// One run: the scheduler and the interactions' state machines, all on the verifier's thread.
    final class Run {
        let targets: [VerifyTarget]
        let options: VerifyOptions
        let receiver: CallbackReceiver?
        let progress: (VerifyProgress) -> Void
        var results: [[CaseResult?]]
        var free: [InteractionRun] = []
        var stateful: [InteractionRun] = []
        var statefulRunning = false
        var running = 0
        var done = 0
        let total: Int
        let started = DispatchTime.now()

        init(targets: [VerifyTarget], options: VerifyOptions, receiver: CallbackReceiver?, progress: @escaping (VerifyProgress) -> Void) {
            self.targets = targets
            self.options = options
            self.receiver = receiver
            self.progress = progress
            results = targets.map { Array(repeating: nil, count: $0.positions.count) }
            total = targets.reduce(0) { $0 + $1.positions.count }
        }

        var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

        func execute() -> [SuiteResult] {
            let multi: CurlMulti
            do throws(TransportError) {
                // Two per interaction: a long poll and the call that releases it run at once.
                multi = try CurlMulti(options: options.transport, maximumConnectionsPerHost: 2 * options.concurrency)
            } catch {
                return targets.map { target in
                    suite(target, cases: target.positions.map { position in
                        let interaction = target.contract.interactions[position]
                        return CaseResult(name: interaction.name, kind: interaction.kind.name.displayName, duration: 0,
                                          outcome: .error(kind: "transport", message: error.message))
                    })
                }
            }
            for (suiteIndex, target) in targets.enumerated() {
                let baseURL = options.baseURL(for: target.contract.provider)
                // A long poll waiting for a call, and the call, must not run beside each other's
                // kin: they share the one-at-a-time lane with interactions that need states.
                let awaited = Set(target.contract.interactions.compactMap(\.kind.awaitedCall))
                for (slot, position) in target.positions.enumerated() {
                    let interaction = target.contract.interactions[position]
                    let run = InteractionRun(interaction: interaction, suite: suiteIndex, slot: slot, order: free.count + stateful.count,
                                             baseURL: baseURL, options: options, receiver: receiver, multi: multi) { [unowned self] run, result in
                        finished(run, result)
                    }
                    let contract = target.contract
                    run.interactionNamed = { name in contract.interactions.first { $0.name == name } }
                    run.protobuf = contract.protobuf
                    if case .tcp(let tcp) = interaction.kind, tcp.conversation.first?.side == .client {
                        run.greeting = Self.greeting(of: contract)
                    }
                    let exclusive = !interaction.states.isEmpty || awaited.contains(interaction.name) || interaction.kind.awaitedCall != nil
                    run.exclusive = exclusive
                    if exclusive { stateful.append(run) } else { free.append(run) }
                }
            }
            free.reverse()  // taken from the end: contract order
            stateful.reverse()
            fill()
            let deadline = options.totalTimeout.map { started + .milliseconds(Int($0 * 1000)) }
            var expired = false
            multi.run(while: { [self] in running > 0 }, pollMilliseconds: { [self] in inFlight.contains(where: \.isWaiting) ? 10 : 100 }) { [self] in
                if let deadline, !expired, DispatchTime.now() >= deadline {
                    expired = true
                    giveUp(multi)
                }
                for run in inFlight { run.tick() }
                fill()
            }
            return targets.enumerated().map { index, target in suite(target, cases: results[index].map { $0! }) }
        }

        private var inFlight: [InteractionRun] = []

        /// The overall deadline passed: what runs ends with a timeout error, what waits is not run.
        func giveUp(_ multi: CurlMulti) {
            let message = "the overall timeout (--total-timeout \(decimalSeconds(options.totalTimeout ?? 0)) s) ran out"
            for run in (free + stateful).reversed() {
                run.finishUnstarted(.error(kind: TransportError.Kind.timeout.rawValue, message: "not run: \(message)"))
            }
            free.removeAll()
            stateful.removeAll()
            multi.abortAll(TransportError(kind: .timeout, message: message))
            for run in inFlight { run.abandon(message) }
        }

        /// Starts interactions, in contract order as far as the lanes allow: one with states only
        /// when no other with states is running.
        func fill() {
            while running < options.concurrency {
                let nextStateful = statefulRunning ? nil : stateful.last
                if let candidate = nextStateful, free.last.map({ candidate.order < $0.order }) ?? true {
                    stateful.removeLast()
                    statefulRunning = true
                    begin(candidate)
                } else if let next = free.popLast() {
                    begin(next)
                } else {
                    return
                }
            }
        }

        func begin(_ run: InteractionRun) {
            running += 1
            inFlight.append(run)
            run.begin()
        }

        func finished(_ run: InteractionRun, _ result: CaseResult) {
            if let index = inFlight.firstIndex(where: { $0 === run }) {
                inFlight.remove(at: index)
                running -= 1
                if run.exclusive { statefulRunning = false }
            }
            results[run.suite][run.slot] = result
            done += 1
            progress(VerifyProgress(done: done, total: total, suite: run.suite, slot: run.slot, result: result, elapsed: elapsed))
        }

        /// `treaty 1`, or `pact 3` for a Pact file (its specification version).
        static func format(of contract: Contract) -> String {
            switch contract.origin {
            case .treaty: "treaty \(contract.formatVersion)"
            case .pact(let version): "pact \(version)"
            }
        }

        /// The server's opening steps of the contract's TCP conversation that starts with the
        /// server: every connection gets them, so a conversation that starts with the client reads
        /// them first.
        static func greeting(of contract: Contract) -> [SocketStep] {
            for interaction in contract.interactions {
                if case .tcp(let tcp) = interaction.kind, tcp.conversation.first?.side == .server {
                    return Array(tcp.conversation.prefix { $0.side == .server })
                }
            }
            return []
        }

        func suite(_ target: VerifyTarget, cases: [CaseResult]) -> SuiteResult {
            // JUnit adds consumer, provider and contract file; these say which format and where.
            let properties: [(name: String, value: String)] = [
                ("contract.format", Self.format(of: target.contract)),
                ("base-url", options.baseURL(for: target.contract.provider)),
            ]
            return SuiteResult(file: target.contract.file, consumer: target.contract.consumer, provider: target.contract.provider,
                               properties: properties, cases: cases)
        }
    }
}

/// One interaction's verification, as a chain of transfers on the multi engine: state setups,
/// the request (each call of a response sequence), the callbacks it must make, state teardowns.
final class InteractionRun {
    let interaction: Interaction
    let suite: Int
    let slot: Int
    /// Position in the whole run, for starting in contract order.
    let order: Int
    let baseURL: String
    let options: VerifyOptions
    let receiver: CallbackReceiver?
    let multi: CurlMulti
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

    private var log: ExchangeLog
    /// Set when the interaction starts (not when it is queued).
    private var started = DispatchTime.now()
    private var outcome: CaseResult.Outcome = .passed
    private var bodyDiff: String?
    private var stateValues = JSONObject()
    private var finished = false
    private var request: HTTPRequestData?
    private var url = ""
    private var expectedCallbacks: [ExpectedCallback] = []
    /// The receiver's URL with a prefix of this run's own, so interactions running at the same
    /// time never take each other's callbacks.
    private var callbackBase: String? { receiver.map { $0.url + "/run-\(order)" } }
    private var callbackDeadline: DispatchTime?

    init(interaction: Interaction, suite: Int, slot: Int, order: Int, baseURL: String, options: VerifyOptions, receiver: CallbackReceiver?,
         multi: CurlMulti, onFinish: @escaping (InteractionRun, CaseResult) -> Void) {
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
    func finishUnstarted(_ outcome: CaseResult.Outcome) {
        finished = true
        onFinish(self, CaseResult(name: interaction.name, kind: interaction.kind.name.displayName, duration: 0, outcome: outcome))
    }

    /// Ends an interaction that was waiting (for callbacks) when the overall timeout ran out.
    func abandon(_ message: String) {
        guard !finished, isWaitingForCallbacks else { return }
        callbackDeadline = nil
        outcome = .error(kind: TransportError.Kind.timeout.rawValue, message: message)
        tearDown()
    }

    // MARK: provider states

    private func stateCall(_ state: ProviderState, action: String, then: @escaping (String?, JSONObject?) -> Void) {
        guard let stateURL = options.stateURL else { return then(nil, nil) }
        let body = JSONNode.object([
            ("state", .string(state.name)), ("params", JSONNode(.object(state.params))), ("action", .string(action)),
        ])
        let request = HTTPRequestData(method: "POST", path: "", headers: [("Content-Type", "application/json")] + options.extraHeaders,
                                      body: body.renderedBytes())
        log.line("# state \(action): \(state.name) \(JSONNode(.object(state.params)).rendered())")
        multi.start(request, to: stateURL) { result, _ in
            switch result {
            case .success(let response) where (200..<300).contains(response.status):
                // A JSON object in the answer holds values for the request (`{"fromState": NAME}` generators).
                then(nil, (try? JSONParser.parse(response.body).root)?.objectValue)
            case .success(let response):
                let text = String(decoding: response.body.prefix(2000), as: UTF8.self)
                then("provider state \"\(state.name)\" \(action) failed: \(stateURL) answered \(response.status)"
                     + (text.isEmpty ? "" : ": \(text)"), nil)
            case .failure(let error):
                then("provider state \"\(state.name)\" \(action) failed: \(error.message). \(error.advice)", nil)
            }
        }
    }

    private func setUp(_ index: Int) {
        guard index < interaction.states.count else { return send() }
        stateCall(interaction.states[index], action: "setup") { [self] failure, values in
            if let failure {
                log.line("! \(failure)")
                outcome = .error(kind: "state-setup", message: failure)
                return tearDown()
            }
            if let values {
                for member in values.members {
                    stateValues.members.removeAll { $0.key == member.key }
                    stateValues.members.append(JSONObject.Member(key: member.key, value: member.value))
                }
                if !values.members.isEmpty { log.line("# state values: \(JSONNode(.object(values)).rendered())") }
            }
            setUp(index + 1)
        }
    }

    private func tearDown() {
        guard options.stateURL != nil, !interaction.states.isEmpty else { return complete() }
        tearDown(interaction.states.count - 1)
    }

    private func tearDown(_ index: Int) {
        guard index >= 0 else { return complete() }
        stateCall(interaction.states[index], action: "teardown") { [self] failure, _ in
            if let failure { log.line("# \(failure)") }
            tearDown(index - 1)
        }
    }

    // MARK: the exchange

    /// Runs the interaction's exchange: one case per kind.
    private func send() {
        switch interaction.kind {
        case .http(let http):
            guard buildRequest(http.request) else { return }
            call(http, 0)
        case .sse(let sse):
            guard buildRequest(sse.request, eventStream: true) else { return }
            stream(sse)
        case .longPoll(let poll):
            guard buildRequest(poll.request) else { return }
            self.poll(poll)
        case .websocket(let websocket):
            guard buildRequest(websocket.request) else { return }
            converse(websocket)
        case .message(let spec): produceMessage(spec)
        case .jsonrpc(let call): rpc(call)
        case .grpc(let call): grpcCall(call)
        case .tcp(let tcp): rawTCP(tcp)
        case .udp(let udp): rawUDP(udp)
        case .synchronousMessage: finish(.skipped(reason: "kind \(interaction.kind.name.displayName) is not verified yet"))
        }
    }

    /// Builds the request that opens an interaction served over HTTP, with the state values and
    /// this run's callback URL; false (the interaction ended with an error) when it has callbacks
    /// and no receiver listens for them.
    private func buildRequest(_ spec: HTTPRequestSpec, eventStream: Bool = false) -> Bool {
        if !interaction.callbacks.isEmpty && receiver == nil {
            outcome = .error(kind: "callback-receiver", message: "cannot listen on \(options.callbackHost) for this interaction's callbacks; "
                             + "check --callback-host")
            tearDown()
            return false
        }
        let generator = ValueGenerator(context: .init(request: HTTPRequestData(method: spec.method, target: "/"),
                                                      stateParameters: stateValues, baseURL: baseURL, callbackBaseURL: callbackBase))
        var built = RequestBuilder.build(spec, extraHeaders: options.extraHeaders, generator: generator)
        if eventStream, !built.headers.contains(where: { $0.name.caseInsensitiveEquals("Accept") }) {
            built.headers.append(("Accept", "text/event-stream"))
        }
        request = built
        url = RequestBuilder.url(base: baseURL, request: built)
        return true
    }

    /// The outcome of a WebSocket conversation, set by its thread, read by `tick`.
    private let conversation = ConversationResult()
    private var conversing = false

    final class ConversationResult: @unchecked Sendable {  // guarded by the lock
        private let lock = NSLock()
        private var value: (Result<[Mismatch], TransportError>, String)?
        func set(_ result: Result<[Mismatch], TransportError>, log: String) { lock.withLock { value = (result, log) } }
        func take() -> (Result<[Mismatch], TransportError>, String)? { lock.withLock { defer { value = nil }; return value } }
    }

    /// A WebSocket interaction: the conversation runs on a thread of its own (raw frames over a
    /// libcurl connection); `tick` picks up its outcome.
    private func converse(_ websocket: WebSocketInteraction) {
        guard let request else { return complete() }
        let transport = options.transport
        onSocketThread { client in
            client.converse(request, subprotocol: websocket.subprotocol, steps: websocket.steps, options: transport)
        }
    }

    /// Runs `work` with a new WebSocket client on a thread of its own (it blocks on the socket);
    /// `tick` picks up the outcome it leaves, with the client's log.
    private func onSocketThread(_ work: @escaping @Sendable (WebSocketClient) -> Result<[Mismatch], TransportError>) {
        let client: WebSocketClient
        do throws(TransportError) {
            client = try WebSocketClient(url: baseURL, masked: log.masked)
        } catch {
            outcome = .error(kind: error.kind.rawValue, message: error.message)
            return tearDown()
        }
        let sendable = UnsafeSendable(value: client)
        onThread {
            let client = sendable.value
            return (work(client), client.log.text)
        }
    }

    /// Runs blocking socket work on a thread of its own; `tick` picks up the outcome and log it leaves.
    private func onThread(_ work: @escaping @Sendable () -> (Result<[Mismatch], TransportError>, String)) {
        conversing = true
        let box = conversation
        let thread = Thread {
            let (result, text) = work()
            box.set(result, log: text)
        }
        thread.stackSize = BlockingWork.stackBytes
        thread.start()
    }

    /// A raw TCP conversation or a UDP exchange with the provider at the base URL
    /// (`tcp://host:port`, `udp://host:port`; only the host and port count), on a thread of its own.
    private func rawTCP(_ tcp: TCPInteraction) {
        let transport = options.transport
        let client: TCPClient
        do throws(TransportError) { client = try TCPClient(base: baseURL) } catch {
            outcome = .error(kind: error.kind.rawValue, message: error.message)
            return tearDown()
        }
        let sendable = UnsafeSendable(value: client)
        let greeting = greeting
        onThread {
            let client = sendable.value
            return (client.converse(tcp, greeting: greeting, options: transport), client.log.text)
        }
    }

    private func rawUDP(_ udp: UDPInteraction) {
        let base = baseURL
        onThread {
            let client = UDPClient(base: base)
            return (client.exchange(udp), client.log.text)
        }
    }

    private func conversationEnded() {
        guard conversing, let (result, text) = conversation.take() else { return }
        conversing = false
        log.append(text)
        switch result {
        case .success(let mismatches):
            if !mismatches.isEmpty { outcome = .failed(mismatches) }
        case .failure(let error):
            log.line("! \(error.kind.rawValue): \(error.message)")
            outcome = .error(kind: error.kind.rawValue, message: "\(error.message). \(error.advice)")
        }
        tearDown()
    }

    /// When a long poll waits for another interaction, the verifier makes that call itself, this
    /// long after sending the long poll.
    static let releaseCallDelay = 0.3
    private var releaseCall: (at: DispatchTime, request: HTTPRequestData, url: String, name: String)?
    private var releaseCalled: DispatchTime?

    /// A long poll: the provider must hold the request (for its time, or until the awaited call,
    /// which the verifier makes) and then answer; a trigger nothing can fire on a real provider
    /// must end in the timeout answer after about the timeout.
    private func poll(_ poll: LongPollInteraction) {
        guard let request else { return complete() }
        let expected: HTTPResponseSpec
        var minimumHold = 0
        switch poll.hold {
        case .duration(let ms):
            expected = poll.response
            minimumHold = ms
        case .trigger(let name):
            expected = poll.timeoutResponse
            minimumHold = poll.timeoutMilliseconds
            log.line("# trigger \"\(name)\" cannot be fired on a real provider: expecting the timeout answer after \(poll.timeoutMilliseconds) ms")
        case .call(let name):
            expected = poll.response
            guard let other = interactionNamed(name), let spec = other.kind.openingRequest else {
                outcome = .error(kind: "contract", message: "the long poll waits for \"\(name)\", which this run cannot call")
                return tearDown()
            }
            let generator = ValueGenerator(context: .init(request: HTTPRequestData(method: spec.method, target: "/"),
                                                          stateParameters: stateValues, baseURL: baseURL, callbackBaseURL: callbackBase))
            let call = RequestBuilder.build(spec, extraHeaders: options.extraHeaders, generator: generator)
            releaseCall = (.now() + .milliseconds(Int(Self.releaseCallDelay * 1000)), call, RequestBuilder.url(base: baseURL, request: call), name)
        }
        log.request(request, url: url)
        multi.start(request, to: url) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.response(response, seconds: seconds)
                var mismatches = ResponseMatcher.match(response, expected)
                let held = Int(seconds * 1000)
                if Double(held) < Double(minimumHold) * 0.8 {
                    mismatches.append(Mismatch(path: "$.hold", expected: "held about \(minimumHold) ms", actual: "answered after \(held) ms",
                                               rule: "timing", message: "expected the request held about \(minimumHold) ms, answered after \(held) ms"))
                }
                if let pending = releaseCall {
                    releaseCall = nil
                    mismatches.append(Mismatch(path: "$.hold", expected: "answered after \"\(pending.name)\" is called",
                                               actual: "answered after \(held) ms, before it was called", rule: "timing",
                                               message: "expected the request held until \"\(pending.name)\" is called; it was answered after \(held) ms, before"))
                }
                if !mismatches.isEmpty { outcome = .failed(mismatches) }
            case .failure(let error):
                log.line("! \(error.kind.rawValue): \(error.message)")
                outcome = .error(kind: error.kind.rawValue, message: "\(error.message). \(error.advice)")
            }
            releaseCall = nil
            tearDown()
        }
    }

    /// A message interaction, as Pact verifies message pacts: the provider's message producer is
    /// asked for the message by description and states, and what it answers is the message: the
    /// body its contents, `Pact-Message-Metadata` (base64 JSON) its metadata, with the Content-Type.
    private func produceMessage(_ spec: MessageSpec) {
        guard let messageURL = options.messageURL else {
            log.line("# a message interaction: give --message-url (the provider's message producer) to verify it")
            outcome = .skipped(reason: "message interaction: no --message-url given")
            return tearDown()
        }
        let body = JSONNode.object([
            ("description", .string(interaction.name)),
            ("providerStates", .array(interaction.states.map { .object([("name", .string($0.name)), ("params", JSONNode(.object($0.params)))]) })),
        ])
        let request = HTTPRequestData(method: "POST", path: "", headers: [("Content-Type", "application/json")] + options.extraHeaders,
                                      body: body.renderedBytes())
        log.request(request, url: messageURL)
        multi.start(request, to: messageURL) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.response(response, seconds: seconds)
                guard (200..<300).contains(response.status) else {
                    outcome = .error(kind: "message-producer", message: "\(messageURL) answered \(response.status) when asked for \"\(interaction.name)\": "
                                     + String(decoding: response.body.prefix(500), as: UTF8.self) + ". Does the producer know this description?")
                    return tearDown()
                }
                var metadata: [String: String] = [:]
                if let encoded = response.header("Pact-Message-Metadata") ?? response.header("X-Treaty-Message-Metadata"),
                   let bytes = Base64Text.decode(encoded), let object = (try? JSONParser.parse(bytes).root)?.objectValue {
                    for member in object.members { metadata[member.key] = member.value.stringValue ?? member.value.rendered() }
                }
                if metadata["contentType"] == nil, let type = response.header("Content-Type") { metadata["contentType"] = type }
                var expected = spec
                // A content type names a media type: parameters (charset) do not count.
                if let i = expected.metadata.firstIndex(where: { $0.name == "contentType" }),
                   let type = metadata["contentType"], let want = expected.metadata[i].values.first?.example.stringValue,
                   type.lowercased().hasPrefix(want.lowercased()) {
                    expected.metadata.remove(at: i)
                }
                let mismatches = MessageMatcher.match(response.body, expected).map { m -> Mismatch in
                    var m = m
                    m.path = m.path.replacingOccurrences(of: "$.body", with: "$.contents")
                    return m
                } + MessageMatcher.matchMetadata(metadata, expected.metadata)
                if !mismatches.isEmpty { outcome = .failed(mismatches) }
            case .failure(let error):
                log.line("! \(error.kind.rawValue): \(error.message)")
                outcome = .error(kind: error.kind.rawValue, message: "\(error.message). \(error.advice)")
            }
            tearDown()
        }
    }

    /// A JSON-RPC call: POST `{"jsonrpc": "2.0", "id", "method", "params"}` to the endpoint (no id
    /// for a notification), then the answer's id, result or error object are judged.
    private func rpc(_ call: JSONRPCInteraction) {
        let generator = ValueGenerator(context: .init(request: HTTPRequestData(method: "POST", target: "/"), stateParameters: stateValues,
                                                      baseURL: baseURL, callbackBaseURL: callbackBase))
        let id: Int? = call.notification ? nil : order + 1
        var members: [(String, JSONNode)] = [("jsonrpc", .string("2.0")), ("method", .string(call.method))]
        if let params = call.params { members.append(("params", generator.render(params))) }
        if let id { members.append(("id", .number(id))) }
        var headers: [(name: String, value: String)] = call.headers.map { ($0.name, $0.values.compactMap { $0.example.stringValue }.joined(separator: ", ")) }
        if !headers.contains(where: { $0.name.caseInsensitiveEquals("Content-Type") }) { headers.append(("Content-Type", "application/json")) }
        for extra in options.extraHeaders {
            headers.removeAll { $0.name.caseInsensitiveEquals(extra.name) }
            headers.append(extra)
        }
        let request = HTTPRequestData(method: "POST", path: call.path, headers: headers, body: JSONNode.object(members).renderedBytes())
        let target = RequestBuilder.url(base: baseURL, request: request)
        if call.transport == .websocket { return rpcOverWebSocket(call, request, id: id) }
        log.request(request, url: target)
        multi.start(request, to: target) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.response(response, seconds: seconds)
                let mismatches = JSONRPC.judge(status: response.status, body: response.body, id: id, spec: call)
                if !mismatches.isEmpty { outcome = .failed(mismatches) }
            case .failure(let error):
                log.line("! \(error.kind.rawValue): \(error.message)")
                outcome = .error(kind: error.kind.rawValue, message: "\(error.message). \(error.advice)")
            }
            tearDown()
        }
    }

    /// A gRPC call over libcurl HTTP/2 (see `GRPCExchange`).
    private func grpcCall(_ call: GRPCInteraction) {
        // The loader refuses grpc interactions in a contract without "protobuf".
        guard let protobuf else { return complete() }
        let transcoder = ProtoJSON(pool: protobuf.pool)
        let generator = ValueGenerator(context: .init(request: HTTPRequestData(method: "POST", target: call.path), stateParameters: stateValues,
                                                      baseURL: baseURL, callbackBaseURL: callbackBase))
        let request: HTTPRequestData
        switch GRPCExchange.request(call, extraHeaders: options.extraHeaders, timeout: options.transport.timeout, generator: generator,
                                    transcoder: transcoder) {
        case .success(let built): request = built
        case .failure(let error):
            outcome = .error(kind: error.kind.rawValue, message: error.message)
            return tearDown()
        }
        let target = RequestBuilder.url(base: baseURL, request: request)
        log.line("> \(call.callKind) call \(call.path): \(call.requests.count) message(s)")
        for (i, message) in call.requests.enumerated() { log.line("> message \(i + 1): " + String(message.pattern.example.rendered().prefix(500))) }
        log.request(request, url: target)
        expectCallbacks(for: request)
        multi.start(request, to: target, mode: .grpc) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.line("< \(response.status) (\(Int(seconds * 1000)) ms)")
                for (name, value) in response.headers { log.line("< \(name): \(value)") }
                for (name, value) in response.trailers { log.line("< (trailer) \(name): \(value)") }
                let judgement = GRPCExchange.judge(response, call, transcoder: transcoder)
                for line in judgement.log { log.line(line) }
                if let error = judgement.error {
                    log.line("! \(error.kind): \(error.message)")
                    outcome = .error(kind: error.kind, message: error.message)
                    return tearDown()
                }
                if !judgement.mismatches.isEmpty {
                    outcome = .failed(judgement.mismatches)
                    return tearDown()
                }
                awaitCallbacks()
            case .failure(let error):
                log.line("! \(error.kind.rawValue): \(error.message)")
                let hint = [.emptyResponse, .malformedResponse, .reset].contains(error.kind)
                    ? " gRPC needs HTTP/2 (h2c with prior knowledge for http:// URLs): is this a gRPC server?" : ""
                outcome = .error(kind: error.kind.rawValue, message: "\(error.message). \(error.advice)\(hint)")
                tearDown()
            }
        }
    }

    /// JSON-RPC over a WebSocket: the call as a text frame on a socket opened at the endpoint's path,
    /// on a thread of its own like a conversation; `tick` judges the answer.
    private func rpcOverWebSocket(_ call: JSONRPCInteraction, _ request: HTTPRequestData, id: Int?) {
        let transport = options.transport
        let upgrade = HTTPRequestData(method: "GET", path: call.path, headers: request.headers.filter { !$0.name.caseInsensitiveEquals("Content-Type") })
        let text = String(decoding: request.body, as: UTF8.self)
        onSocketThread { client in
            client.exchange(upgrade, text: text, expectAnswer: id != nil, options: transport).map { exchange in
                switch exchange {
                case .answer(let answer): JSONRPC.judge(status: answer == nil ? 204 : 200, body: answer ?? [], id: id, spec: call)
                case .mismatches(let mismatches): mismatches
                }
            }
        }
    }

    /// Makes the call a long poll waits for, once its time came; picks up a finished conversation.
    func tick() {
        conversationEnded()
        if let pending = releaseCall, DispatchTime.now() >= pending.at {
            releaseCall = nil
            log.line("# calling \"\(pending.name)\" to release the long poll")
            log.request(pending.request, url: pending.url)
            multi.start(pending.request, to: pending.url) { [self] result, seconds in
                switch result {
                case .success(let response): log.line("# \"\(pending.name)\" answered \(response.status) (\(Int(seconds * 1000)) ms)")
                case .failure(let error): log.line("# \"\(pending.name)\" failed: \(error.message)")
                }
            }
        }
        pollCallbacks()
    }

    /// An SSE interaction: open the stream, read events as they come, stop when every expected
    /// event came (or the stream ends, or --timeout passes), then judge head and events.
    private func stream(_ sse: SSEInteraction) {
        guard let request else { return complete() }
        log.request(request, url: url)
        expectCallbacks(for: request)
        let sink = StreamSink(wanted: max(1, sse.events.count), limit: options.transport.maximumBodyBytes)
        multi.start(request, to: url, mode: .stream(sink)) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.line("< \(response.status) (event stream, \(Int(seconds * 1000)) ms, \(sink.endReason ?? "ended"))")
                for (name, value) in response.headers { log.line("< \(name): \(value)") }
                for event in sink.events {
                    log.line("< event \(event.type)" + (event.id.map { " id \($0)" } ?? "") + " at \(Int(event.time * 1000)) ms: "
                             + String(event.data.prefix(500)))
                }
                var mismatches = ResponseMatcher.match(response, HTTPResponseSpec(status: sse.response.status, headers: sse.response.headers))
                if sse.response.headers.first(named: "Content-Type") == nil {
                    let type = response.header("Content-Type") ?? ""
                    if !type.lowercased().hasPrefix("text/event-stream") {
                        mismatches.append(Mismatch(path: "$.headers.Content-Type", expected: "text/event-stream", actual: type.isEmpty ? "none" : type,
                                                   rule: "media type", message: "expected an event stream (text/event-stream), got " + (type.isEmpty ? "no Content-Type" : type)))
                    }
                }
                if (200..<300).contains(response.status) {
                    mismatches += SSEMatcher.match(sink.events, sse.events, ended: sink.endReason ?? "the stream ended")
                }
                if !mismatches.isEmpty {
                    outcome = .failed(mismatches)
                    return tearDown()
                }
                awaitCallbacks()
            case .failure(let error):
                log.line("! \(error.kind.rawValue): \(error.message)")
                outcome = .error(kind: error.kind.rawValue, message: "\(error.message). \(error.advice)")
                tearDown()
            }
        }
    }

    private func call(_ http: HTTPInteraction, _ index: Int) {
        guard let request else { return complete() }
        // A response sequence is verified call by call, in order.
        let expected = http.sequence?.responses ?? [http.response]
        guard index < expected.count else { return awaitCallbacks() }
        if expected.count > 1 { log.line("# call \(index + 1) of \(expected.count)") }
        log.request(request, url: url)
        if index == 0 { expectCallbacks(for: request) }
        multi.start(request, to: url) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.response(response, seconds: seconds)
                var mismatches = ResponseMatcher.match(response, expected[index])
                if mismatches.contains(where: { $0.path.hasPrefix("$.body") }) {
                    bodyDiff = Verifier.bodyDiff(expected: expected[index].body, actual: response.body)
                }
                if expected.count > 1 {
                    mismatches = mismatches.map { m in
                        var m = m
                        m.message = "call \(index + 1) of \(expected.count): " + m.message
                        return m
                    }
                }
                if !mismatches.isEmpty {
                    outcome = .failed(mismatches)
                    return tearDown()
                }
                call(http, index + 1)
            case .failure(let error):
                log.line("! \(error.kind.rawValue): \(error.message)")
                outcome = .error(kind: error.kind.rawValue, message: "\(error.message). \(error.advice)")
                tearDown()
            }
        }
    }

    // MARK: callbacks

    struct ExpectedCallback {
        var callback: Callback
        /// Where it must arrive: the receiver's path the URL pattern gives for this request.
        var path: String
        var arrived: HTTPRequestData?
    }

    var isWaitingForCallbacks: Bool { callbackDeadline != nil }
    /// Waiting for something without a transfer: callbacks, or the time to make a release call.
    var isWaiting: Bool { callbackDeadline != nil || releaseCall != nil || conversing }

    private func expectCallbacks(for request: HTTPRequestData) {
        guard let receiver, !interaction.callbacks.isEmpty else { return }
        let generator = ValueGenerator(context: .init(request: request, stateParameters: stateValues, baseURL: baseURL,
                                                      callbackBaseURL: callbackBase))
        expectedCallbacks = interaction.callbacks.map { callback in
            let node = generator.render(callback.url)
            let target = node.stringValue ?? node.rendered()
            let path = target.hasPrefix(receiver.url) ? String(target.dropFirst(receiver.url.count)) : target
            return ExpectedCallback(callback: callback, path: HTTPRequestData(method: "GET", target: path.isEmpty ? "/" : path).path)
        }
    }

    private func awaitCallbacks() {
        guard !expectedCallbacks.isEmpty else { return tearDown() }
        let longest = expectedCallbacks.map(\.callback.delayMilliseconds).max() ?? 0
        callbackDeadline = .now() + .milliseconds(longest + Int(options.callbackTimeout * 1000))
        log.line("# waiting for \(expectedCallbacks.count) callback(s) at \(receiver?.url ?? "")")
        pollCallbacks()
    }

    /// Checks the receiver for the callbacks; ends the interaction when all came or time ran out.
    func pollCallbacks() {
        guard let deadline = callbackDeadline, let receiver else { return }
        for i in expectedCallbacks.indices where expectedCallbacks[i].arrived == nil {
            expectedCallbacks[i].arrived = receiver.take(path: expectedCallbacks[i].path)
        }
        let missing = expectedCallbacks.filter { $0.arrived == nil }
        if !missing.isEmpty && DispatchTime.now() < deadline { return }
        callbackDeadline = nil
        var mismatches: [Mismatch] = []
        for expected in expectedCallbacks {
            let name = expected.callback.name
            guard let arrived = expected.arrived else {
                let waited = decimalSeconds(Double(expected.callback.delayMilliseconds) / 1000 + options.callbackTimeout)
                mismatches.append(Mismatch(path: "$.callbacks[\(name)]", expected: "\(expected.callback.method) \(receiver.url)\(expected.path)",
                                           actual: "nothing", rule: "callback",
                                           message: "callback \"\(name)\" did not arrive at \(receiver.url)\(expected.path) within \(waited) s"))
                continue
            }
            log.line("# callback \"\(name)\" arrived: \(arrived.method) \(arrived.path)")
            log.request(arrived, url: receiver.url + arrived.path)
            let spec = HTTPRequestSpec(method: expected.callback.method, path: .string(expected.path), query: [],
                                       headers: expected.callback.headers, body: expected.callback.body)
            var withoutQuery = arrived
            withoutQuery.query = ""  // the query belongs to the URL the verifier handed out
            for var mismatch in RequestMatcher.match(withoutQuery, spec) {
                mismatch.message = "callback \"\(name)\": " + mismatch.message
                mismatch.path = "$.callbacks[\(name)]" + mismatch.path.dropFirst()
                mismatches.append(mismatch)
            }
        }
        if !mismatches.isEmpty { outcome = .failed(mismatches) }
        tearDown()
    }

    private func complete() {
        finish(outcome)
    }

    private func finish(_ outcome: CaseResult.Outcome) {
        guard !finished else { return }
        finished = true
        onFinish(self, CaseResult(name: interaction.name, kind: interaction.kind.name.displayName, duration: elapsed, outcome: outcome,
                                  log: log.text, bodyDiff: bodyDiff))
    }
}

extension Verifier {
    /// `actual` with object keys in the order the example writes them (extra keys last), so the
    /// diff shows differences, not reordering.
    static func aligned(_ actual: JSONNode, to example: JSONNode) -> JSONNode {
        switch (actual.value, example.value) {
        case (.object(let a), .object(let e)):
            var members: [JSONObject.Member] = []
            for key in e.keys { if let m = a.member(key) { members.append(JSONObject.Member(key: key, value: aligned(m.value, to: e[key]!))) } }
            let known = Set(e.keys)
            members += a.members.filter { !known.contains($0.key) }
            return JSONNode(.object(JSONObject(members)))
        case (.array(let a), .array(let e)) where !e.isEmpty:
            return .array(a.enumerated().map { aligned($0.element, to: e[min($0.offset, e.count - 1)]) })
        default:
            return actual
        }
    }

    /// Pretty JSON (or text) of the contract's example against the actual body.
    static func bodyDiff(expected: BodySpec?, actual: [UInt8]) -> String? {
        guard let expected else { return nil }
        let expectedText: String
        var actualText = String(decoding: actual.prefix(64 << 10), as: UTF8.self)
        switch expected {
        case .json(let p):
            expectedText = p.example.rendered(pretty: true)
            if let node = try? JSONParser.parse(actual).root { actualText = aligned(node, to: p.example).rendered(pretty: true) }
        default:
            expectedText = String(decoding: expected.exampleBytes, as: UTF8.self)
        }
        let diff = TextDiff.unified(expected: expectedText, actual: actualText)
        return diff.isEmpty ? nil : diff
    }
}

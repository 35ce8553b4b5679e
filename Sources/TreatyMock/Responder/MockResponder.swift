import NIOCore
import NIOHTTP1
import TreatyMatching
import TreatyModel

/// Plays the provider for one contract: picks the interaction for a request and gives its
/// prepared answer, or a diagnostic answer naming the nearest interaction. Matching knows no NIO;
/// answers that never change also carry their wire form, built once. A class, so that a request
/// reads it with one reference count rather than one per stored property.
public final class MockResponder: Sendable {
    /// JSON-RPC calls by endpoint path: a POST there is answered by method and params.
    public let rpcCalls: [String: [JSONRPC.Call]]
    /// JSON-RPC calls over WebSocket by path: a WebSocket opened there answers each text frame.
    public let rpcSocketCalls: [String: [JSONRPC.Call]]

    /// gRPC calls by path, when the contract has protobuf descriptors.
    public let grpc: GRPCTable?
    /// Raw TCP conversations and UDP exchanges, in contract order, taken out once.
    let tcpScripts: [TCPConversationHandler.Script]
    let udpExchanges: [UDPResponder.Exchange]

    public let contract: Contract
    /// The status of the diagnostic answer to an unmatched request (see docs/cli.md).
    public let unmatchedStatus: Int
    /// Scenario states, sequence positions and selected provider states.
    public let state: MockState
    /// Prepared answers of response sequences, by interaction position.
    private let sequences: [Int: (answers: [Answer], repeats: Bool)]
    /// Per position: a scenario step or a response sequence to advance when it answers.
    private let stateful: [Bool]
    /// Some interaction is a scenario step: choosing and advancing must be one step.
    private let hasScenarios: Bool
    private let index: InteractionIndex
    private let answers: [Answer?]
    /// Interactions whose response has generators: rendered per request.
    private let dynamic: [Int: (spec: HTTPResponseSpec, states: JSONObject)]
    /// SSE interactions whose event data has generators: rendered per request.
    private let streams: [Int: (spec: SSEInteraction, states: JSONObject)]
    /// Interactions with callbacks, and the state parameters their generators read.
    private let callbacks: [Int: (callbacks: [Callback], states: JSONObject)]

    public init(contract: Contract, unmatchedStatus: Int = 404, state: MockState = MockState()) {
        self.contract = contract
        self.unmatchedStatus = unmatchedStatus
        self.state = state
        // Positions whose availability can change: scenario steps, and interactions with provider
        // states (the selection can change through the admin API).
        let constrained = Set(contract.interactions.indices.filter {
            contract.interactions[$0].scenario != nil || !contract.interactions[$0].states.isEmpty
        })
        self.index = InteractionIndex(contract.interactions, constrained: constrained)
        // One pass over the interactions, one case per kind: what each kind needs prepared.
        var shared: [String: HTTPHeaders] = [:]
        var answers: [Answer?] = []
        var dynamic: [Int: (spec: HTTPResponseSpec, states: JSONObject)] = [:]
        var streams: [Int: (spec: SSEInteraction, states: JSONObject)] = [:]
        var callbacks: [Int: (callbacks: [Callback], states: JSONObject)] = [:]
        var rpcCalls: [String: [JSONRPC.Call]] = [:], rpcSocketCalls: [String: [JSONRPC.Call]] = [:]
        var tcpScripts: [TCPConversationHandler.Script] = [], udpExchanges: [UDPResponder.Exchange] = []
        var sequences: [Int: (answers: [Answer], repeats: Bool)] = [:]
        func prepared(_ response: HTTPResponseSpec, _ interaction: Interaction, position: Int, behaviour: MockBehaviour?) -> Answer {
            let plain = Self.prepare(response, name: interaction.name)
            let wire = WireAnswer(status: plain.status, headers: plain.headers, body: plain.body, shared: &shared)
            return Answer(status: plain.status, headers: plain.headers, body: plain.body, interaction: interaction.name,
                          mismatches: [], mode: .deliver(.prepared(wire), behaviour), position: position)
        }
        func hasGenerators(_ response: HTTPResponseSpec) -> Bool {
            if response.headers.contains(where: { $0.values.contains(where: \.hasGenerators) }) { return true }
            switch response.body {
            case .json(let p)?, .text(let p)?: return p.hasGenerators
            default: return false
            }
        }
        for (position, interaction) in contract.interactions.enumerated() {
            let params = JSONObject(interaction.states.flatMap(\.params.members))
            if !interaction.callbacks.isEmpty { callbacks[position] = (interaction.callbacks, params) }
            switch interaction.kind {
            case .http(let http):
                answers.append(prepared(http.response, interaction, position: position, behaviour: interaction.behaviour))
                if hasGenerators(http.response) { dynamic[position] = (http.response, params) }
                if let sequence = http.sequence, sequence.responses.count > 1 {
                    sequences[position] = (sequence.responses.map { prepared($0, interaction, position: position, behaviour: interaction.behaviour) },
                                           sequence.repeats)
                }
            case .sse(let sse):
                answers.append(Self.streamAnswer(sse, name: interaction.name, behaviour: interaction.behaviour, position: position, nil))
                if sse.events.contains(where: { $0.data.pattern.hasGenerators }) { streams[position] = (sse, params) }
            case .longPoll(let poll):
                // The hold sets the timing: "mock" delays and faults do not apply (the loader warns).
                let plain = Self.prepare(poll.response, name: interaction.name)
                let wire = WireAnswer(status: plain.status, headers: plain.headers, body: plain.body, shared: &shared)
                let plan = HoldPlan(hold: poll.hold, timeoutMilliseconds: poll.timeoutMilliseconds, delivery: .prepared(wire),
                                    timeoutAnswer: prepared(poll.timeoutResponse, interaction, position: position, behaviour: nil))
                answers.append(Answer(status: plain.status, headers: plain.headers, body: plain.body, interaction: interaction.name, mismatches: [],
                                      mode: .hold(plan), position: position))
                if hasGenerators(poll.response) { dynamic[position] = (poll.response, params) }
            case .websocket(let ws):
                answers.append(Answer(status: 101, headers: [], body: [], interaction: interaction.name, mismatches: [],
                                      mode: .upgrade(ws), position: position))
            case .jsonrpc(let call):
                answers.append(nil)
                let entry = JSONRPC.Call(position: position, name: interaction.name, spec: call)
                switch call.transport {
                case .websocket: rpcSocketCalls[call.path, default: []].append(entry)
                case .http: rpcCalls[call.path, default: []].append(entry)
                }
            case .tcp(let tcp):
                answers.append(nil)
                tcpScripts.append(TCPConversationHandler.Script(position: position, name: interaction.name, tcp: tcp))
            case .udp(let udp):
                answers.append(nil)
                udpExchanges.append(UDPResponder.Exchange(position: position, name: interaction.name, udp: udp))
            case .grpc:  // served from the gRPC table below
                answers.append(nil)
            case .message, .synchronousMessage:  // published, not requested
                answers.append(nil)
            }
        }
        self.answers = answers
        self.dynamic = dynamic
        self.streams = streams
        self.callbacks = callbacks
        self.rpcCalls = rpcCalls
        self.rpcSocketCalls = rpcSocketCalls
        self.grpc = GRPCTable(contract: contract)
        self.tcpScripts = tcpScripts
        self.udpExchanges = udpExchanges
        self.sequences = sequences
        self.stateful = contract.interactions.indices.map { contract.interactions[$0].scenario != nil || sequences[$0] != nil }
        self.hasScenarios = contract.interactions.contains { $0.scenario != nil }
    }

    /// The head and events of an SSE interaction; with a generator, event data is rendered for this request.
    static func streamAnswer(_ sse: SSEInteraction, name: String, behaviour: MockBehaviour?, position: Int, _ generator: ValueGenerator?) -> Answer {
        var headers = sse.response.headers.map { spec in
            (name: spec.name, value: spec.values.compactMap { $0.example.stringValue }.joined(separator: ", "))
        }
        if !headers.contains(where: { $0.name.caseInsensitiveEquals("Content-Type") }) {
            headers.append(("Content-Type", "text/event-stream"))
        }
        let events = sse.events.map { event -> EventStream.Event in
            var text = event.data.exampleText
            if let generator, event.data.pattern.hasGenerators {
                let node = generator.render(event.data.pattern)
                if case .text = event.data { text = node.stringValue ?? node.rendered() } else { text = node.rendered() }
            }
            return EventStream.Event(id: event.id, delayMilliseconds: event.afterMilliseconds, bytes: Array(event.wireText(data: text).utf8))
        }
        return Answer(status: sse.response.status, headers: headers, body: [], interaction: name, mismatches: [],
                      mode: .deliver(.stream(EventStream(events: events, close: sse.close)), behaviour), position: position)
    }

    /// Renders a response with generators for this request.
    static func render(_ response: HTTPResponseSpec, name: String, behaviour: MockBehaviour?, position: Int, _ generator: ValueGenerator) -> Answer {
        let prepared = prepare(response, name: name)
        let headers = prepared.headers.map { header -> (name: String, value: String) in
            guard let spec = response.headers.first(named: header.name) else { return header }
            let values = spec.values.map { value -> String in
                let node = generator.render(value)
                // Generated values may come from the request: never let them break the header.
                return String((node.stringValue ?? node.rendered()).filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" && $0 != "\0" })
            }
            return (header.name, values.joined(separator: ", "))
        }
        var body = prepared.body
        switch response.body {
        case .json(let p)?: body = generator.render(p).renderedBytes()
        case .text(let p)?:
            let node = generator.render(p)
            body = Array((node.stringValue ?? node.rendered()).utf8)
        default: break
        }
        return Answer(status: prepared.status, headers: headers, body: body, interaction: name, mismatches: [],
                      mode: .deliver(.rendered, behaviour), position: position)
    }

    static func prepare(_ response: HTTPResponseSpec, name: String) -> Answer {
        var headers: [(name: String, value: String)] = response.headers.map { spec in
            (spec.name, spec.values.compactMap { $0.example.stringValue }.joined(separator: ", "))
        }
        var body: [UInt8] = []
        if let spec = response.body {
            body = spec.exampleBytes
            if case .multipart = spec { headers.removeAll { $0.name.caseInsensitiveEquals("Content-Type") } }
            if !headers.contains(where: { $0.name.caseInsensitiveEquals("Content-Type") }) {
                headers.append(("Content-Type", spec.defaultContentType))
            }
        }
        headers.removeAll { $0.name.caseInsensitiveEquals("Content-Length") || $0.name.caseInsensitiveEquals("Transfer-Encoding") }
        return Answer(status: response.status, headers: headers, body: body, interaction: name, mismatches: [])
    }

    /// The answer to `request`; `baseURL` is the mock's own address, for `mockServerURL` generators.
    public func respond(to request: HTTPRequestData, baseURL: String = "") -> Answer {
        let interactions = contract.interactions
        let state = self.state
        let selection: InteractionIndex.Selection
        var turn = 0
        if hasScenarios {
            // Choosing by scenario state and moving the scenario on happen under one lock.
            (selection, turn) = state.withLock { values in
                let selection = index.select(request, unavailable: { values.unavailability(of: interactions[$0]) })
                guard case .matched(let position) = selection, stateful[position] else { return (selection, 0) }
                return (selection, values.answered(interactions[position], position: position,
                                                   sequenceLength: sequences[position]?.answers.count ?? 1,
                                                   repeats: sequences[position]?.repeats ?? false))
            }
        } else {
            selection = index.select(request, unavailable: { state.unavailability(of: interactions[$0]) })
            // Only stateful interactions are read here: copying an Interaction costs a retain per field.
            if case .matched(let position) = selection, stateful[position] {
                turn = state.answered(interactions[position], position: position,
                                      sequenceLength: sequences[position]?.answers.count ?? 1,
                                      repeats: sequences[position]?.repeats ?? false)
            }
        }
        switch selection {
        case .matched(let position):
            if stateful[position], let sequence = sequences[position] { return sequence.answers[turn] }
            if let sse = streams[position] {
                let generator = ValueGenerator(context: .init(request: request, stateParameters: sse.states, baseURL: baseURL))
                let interaction = contract.interactions[position]
                return Self.streamAnswer(sse.spec, name: interaction.name, behaviour: interaction.behaviour, position: position, generator)
            }
            if let (spec, states) = dynamic[position] {
                let generator = ValueGenerator(context: .init(request: request, stateParameters: states, baseURL: baseURL))
                let interaction = contract.interactions[position]
                let rendered = Self.render(spec, name: interaction.name, behaviour: interaction.behaviour, position: position, generator)
                guard case .hold(let plan)? = answers[position]?.mode else { return rendered }
                // A long poll's answer is rendered when the request arrives; it waits like the prepared one.
                let renderedPlan = HoldPlan(hold: plan.hold, timeoutMilliseconds: plan.timeoutMilliseconds, delivery: .rendered,
                                            timeoutAnswer: plan.timeoutAnswer)
                return Answer(status: rendered.status, headers: rendered.headers, body: rendered.body, interaction: rendered.interaction,
                              mismatches: [], mode: .hold(renderedPlan), position: position)
            }
            return answers[position]!
        case .unmatched(let nearest, let mismatches):
            return unmatchedAnswer(request, nearest: nearest.map { contract.interactions[$0].name }, mismatches: mismatches)
        }
    }

    /// The callbacks the interaction at `position` makes after answering `request`, filled in; nil when it has none.
    public func callbacks(at position: Int, request: HTTPRequestData, baseURL: String) -> [RenderedCallback]? {
        guard !callbacks.isEmpty, let (list, states) = callbacks[position] else { return nil }
        let generator = ValueGenerator(context: .init(request: request, stateParameters: states, baseURL: baseURL))
        return list.map { RenderedCallback.render($0, generator) }
    }

    func unmatchedAnswer(_ request: HTTPRequestData, nearest: String?, mismatches: [Mismatch]) -> Answer {
        let target = request.path + (request.query.isEmpty ? "" : "?" + request.query)
        var members: [(String, JSONNode)] = [
            ("error", .string("no interaction in \(contract.file) matches \(request.method) \(target)")),
            ("contract", .string(contract.file)),
            ("request", .object([("method", .string(request.method)), ("path", .string(request.path)),
                                 ("query", .string(request.query))])),
        ]
        if let nearest {
            members.append(("nearest", .object([
                ("interaction", .string(nearest)),
                ("mismatches", .array(mismatches.map(\.json))),
            ])))
        } else {
            members.append(("nearest", .null))
        }
        members.append(("hint", .string("Treaty answers \(unmatchedStatus) when no interaction matches; fix the request or the contract so they agree.")))
        let body = JSONNode.object(members).renderedBytes(pretty: true) + [0x0A]
        return Answer(status: unmatchedStatus,
                      headers: [("Content-Type", "application/json"), ("X-Treaty-Unmatched", "true")],
                      body: body, interaction: nil, mismatches: mismatches, nearest: nearest)
    }
}

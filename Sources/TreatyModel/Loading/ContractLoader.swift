/// Turns contract bytes into a `Contract`, collecting every problem at once as located diagnostics.
///
/// Loading never throws and never traps: malformed input gives diagnostics and, when any of them is
/// an error, no contract.
public struct ContractLoader: Sendable {
    public let resolver: any ReferenceResolver

    public init(resolver: any ReferenceResolver = NoReferences()) {
        self.resolver = resolver
    }

    public struct Result: Sendable {
        /// The contract, when no error was found.
        public var contract: Contract?
        public var diagnostics: [Diagnostic]
    }

    static let topLevelKeys = ["$schema", "treaty", "consumer", "provider", "description", "mock", "protobuf", "interactions"]
    static let interactionKeys = ["name", "description", "given", "mock", "scenario", "callbacks"]
        + Interaction.Kind.Name.contractKeys.map(\.rawValue)

    /// True for a Treaty contract (a `"treaty"` key) or a Pact file (detected by content).
    public static func isContract(_ root: JSONNode) -> Bool {
        root["treaty"] != nil || PactLoader.looksLikePact(root)
    }

    /// Loads a Treaty contract or a Pact file (V1–V4, detected by content) from `bytes`; `file` names it in diagnostics and resolves references.
    public func load(_ bytes: [UInt8], file: String) -> Result {
        let context = LoadContext(file: file, resolver: resolver)
        let document: JSONParser.Document
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            context.error("invalid JSON: \(error.message)", at: error.position, .root)
            return Result(contract: nil, diagnostics: context.diagnostics)
        }
        for duplicate in document.duplicateKeys {
            context.error("duplicate key \"\(duplicate.key)\"; JSON readers disagree on which one wins, keep one",
                          at: duplicate.position, duplicate.pointer)
        }
        if PactLoader.looksLikePact(document.root) {
            let contract = PactLoader(context: context).load(document.root)
            return Result(contract: context.errorCount == 0 ? contract : nil, diagnostics: context.diagnostics)
        }
        let contract = decodeContract(document.root, context)
        return Result(contract: context.errorCount == 0 ? contract : nil, diagnostics: context.diagnostics)
    }

    func decodeContract(_ root: JSONNode, _ context: LoadContext) -> Contract? {
        guard let top = ObjectReader(root, .root, context, what: "a contract") else { return nil }
        top.checkKeys(Self.topLevelKeys)

        var version = 1
        if let treaty = top.required("treaty") {
            if let n = treaty.numberValue?.intValue, n == 1 {
                version = n
            } else {
                context.error("unsupported format version \(treaty.rendered()); this Treaty reads \"treaty\": 1",
                              at: treaty.position, .root / "treaty")
            }
        }
        _ = top.string("description")
        _ = top.string("$schema")
        let consumer = nonEmpty(top, "consumer")
        let provider = nonEmpty(top, "provider")

        var settings = MockSettings()
        if let mock = top["mock"], let reader = ObjectReader(mock, .root / "mock", context, what: "\"mock\"") {
            reader.checkKeys(["port"])
            settings.port = reader.integer("port", in: 0...65535)
        }

        if let protobuf = top["protobuf"] {
            context.protobufGiven = true
            context.protobuf = GRPCDecoder(context: context).decodeProtobuf(protobuf, .root / "protobuf")
        }

        var interactions: [Interaction] = []
        if let list = top.required("interactions") {
            if let elements = list.arrayValue {
                var seenNames: [String: SourcePosition] = [:]
                for (index, element) in elements.enumerated() {
                    let pointer = JSONPointer.root / "interactions" / index
                    guard let interaction = decodeInteraction(element, pointer, context) else { continue }
                    if let first = seenNames[interaction.name] {
                        context.error("duplicate interaction name \"\(interaction.name)\" (first used at \(first)); names identify interactions in reports and must be unique",
                                      at: element["name"]?.position ?? element.position, pointer / "name")
                    } else {
                        seenNames[interaction.name] = element["name"]?.position ?? element.position
                    }
                    interactions.append(interaction)
                }
            } else {
                context.error("\"interactions\" must be an array, found \(list.typeName)", at: list.position, .root / "interactions")
            }
        }
        // A long poll held until another interaction is called must name one of this contract.
        let names = Set(interactions.map(\.name))
        for (index, interaction) in interactions.enumerated() {
            guard let awaited = interaction.kind.awaitedCall, !names.contains(awaited) else { continue }
            let pointer = interaction.pointer / "longPoll" / "hold" / "untilCalled"
            let suggestion = Suggestion.closest(to: awaited, in: Array(names)).map { "; did you mean \"\($0)\"?" } ?? ""
            context.error("\"untilCalled\" names no interaction of this contract: \"\(awaited)\"\(suggestion)",
                          at: (list(top)?[index]).flatMap { $0["longPoll"]?["hold"]?["untilCalled"]?.position } ?? interaction.position, pointer)
        }
        // A port speaks raw TCP/UDP or HTTP, not both: tcp and udp interactions keep a contract to themselves.
        if interactions.contains(where: \.kind.name.usesRawPort), let other = interactions.first(where: { !$0.kind.name.usesRawPort }) {
            context.error("interaction \"\(other.name)\" is \(other.kind.name.displayName), but this contract has tcp or udp interactions (its port speaks raw TCP and UDP); put them in a contract of their own",
                          at: other.position, other.pointer)
        }
        // One connection is cut into messages one way: every tcp interaction of a contract shares its framing.
        let framings = interactions.compactMap { interaction -> (Interaction, SocketFraming)? in
            guard case .tcp(let tcp) = interaction.kind else { return nil }
            return (interaction, tcp.framing)
        }
        if let (first, framing) = framings.first, let (odd, oddFraming) = framings.first(where: { $0.1 != framing }) {
            context.error("interaction \"\(odd.name)\" frames its messages as \(oddFraming.summary), but \"\(first.name)\" as \(framing.summary); the tcp interactions of a contract share one framing",
                          at: odd.position, odd.pointer / "tcp" / "framing")
        }
        guard let consumer, let provider else { return nil }
        var contract = Contract(file: context.file, formatVersion: version, consumer: consumer, provider: provider,
                                mock: settings, interactions: interactions)
        contract.protobuf = context.protobuf
        return contract
    }

    private func list(_ top: ObjectReader) -> [JSONNode]? { top["interactions"]?.arrayValue }

    func nonEmpty(_ reader: ObjectReader, _ key: String) -> String? {
        guard let value = reader.string(key, required: true) else { return nil }
        if value.trimmedWhitespace.isEmpty {
            reader.context.error("\"\(key)\" must not be empty", at: reader[key]?.position, reader.pointer / key)
            return nil
        }
        return value
    }


    func decodeInteraction(_ node: JSONNode, _ pointer: JSONPointer, _ context: LoadContext) -> Interaction? {
        guard let reader = ObjectReader(node, pointer, context, what: "an interaction") else { return nil }
        reader.checkKeys(Self.interactionKeys)
        let name = reader.string("name", required: true)
        if let name, name.trimmedWhitespace.isEmpty {
            context.error("interaction \"name\" must not be empty", at: reader["name"]?.position, pointer / "name")
        }
        let description = reader.string("description")
        let states = reader["given"].map { decodeStates($0, pointer / "given", context) } ?? []

        let kindKeys = reader.object.members.filter { Interaction.Kind.Name(rawValue: $0.key)?.inContractFormat == true }
        let label = name.map { "interaction \"\($0)\"" } ?? "interaction"
        guard let kindMember = kindKeys.first, let kind = Interaction.Kind.Name(rawValue: kindMember.key) else {
            context.error("\(label) has no kind; add one of: " + Interaction.Kind.Name.contractKeys.map(\.rawValue).joined(separator: ", "),
                          at: node.position, pointer)
            return nil
        }
        if kindKeys.count > 1 {
            context.error("\(label) has several kinds (\(kindKeys.map(\.key).joined(separator: ", "))); an interaction has exactly one",
                          at: kindKeys[1].keyPosition, pointer / kindKeys[1].key)
        }
        let kindPointer = pointer / kind.rawValue
        let decoded: Interaction.Kind?
        switch kind {
        case .http:
            decoded = HTTPDecoder(context: context).decode(kindMember.value, kindPointer).map { .http($0) }
        case .sse:
            decoded = HTTPDecoder(context: context).decodeSSE(kindMember.value, kindPointer).map { .sse($0) }
        case .longPoll:
            decoded = HTTPDecoder(context: context).decodeLongPoll(kindMember.value, kindPointer).map { .longPoll($0) }
        case .websocket:
            decoded = HTTPDecoder(context: context).decodeWebSocket(kindMember.value, kindPointer).map { .websocket($0) }
        case .message:
            decoded = HTTPDecoder(context: context).decodeMessage(kindMember.value, kindPointer).map { .message($0) }
        case .jsonrpc:
            decoded = HTTPDecoder(context: context).decodeJSONRPC(kindMember.value, kindPointer).map { .jsonrpc($0) }
        case .grpc:
            decoded = GRPCDecoder(context: context).decode(kindMember.value, kindPointer).map { .grpc($0) }
        case .tcp:
            decoded = SocketDecoder(context: context).decodeTCP(kindMember.value, kindPointer).map { .tcp($0) }
        case .udp:
            decoded = SocketDecoder(context: context).decodeUDP(kindMember.value, kindPointer).map { .udp($0) }
        case .synchronousMessage:
            decoded = nil  // not a key of the format (filtered out above); comes from Pact files only
        }
        let behaviour = reader["mock"].flatMap { decodeBehaviour($0, pointer / "mock", context) }
        let scenario = reader["scenario"].flatMap { decodeScenario($0, pointer / "scenario", context) }
        let callbacks = reader["callbacks"].map { HTTPDecoder(context: context).decodeCallbacks($0, pointer / "callbacks") } ?? []
        guard let name, let decoded else { return nil }
        var interaction = Interaction(name: name, description: description, states: states, kind: decoded,
                                      position: node.position, pointer: pointer)
        interaction.behaviour = behaviour
        if behaviour != nil, let ignored = Self.mockBehaviourIgnored(kind), let member = reader.object.member("mock") {
            context.warning("\"mock\" delays and faults apply to http and sse interactions; a \(kind.rawValue) interaction ignores them" + ignored,
                            at: member.keyPosition, pointer / "mock")
        }
        interaction.scenario = scenario
        interaction.callbacks = callbacks
        return interaction
    }

    /// For kinds that ignore `"mock"` delays and faults: what sets their timing instead (may be
    /// empty); nil for the kinds that play them.
    static func mockBehaviourIgnored(_ kind: Interaction.Kind.Name) -> String? {
        switch kind {
        case .http, .sse: nil
        case .longPoll: " (its \"hold\" sets the timing)"
        case .websocket, .tcp: " (use \"after\" on its steps)"
        case .grpc: " (use \"after\" on its stream messages)"
        case .message, .jsonrpc, .udp, .synchronousMessage: ""
        }
    }

    /// `{"name": "checkout", "state": "Started", "next": "Paid"}`
    func decodeScenario(_ node: JSONNode, _ pointer: JSONPointer, _ context: LoadContext) -> ScenarioStep? {
        guard let reader = ObjectReader(node, pointer, context, what: "a scenario step") else { return nil }
        reader.checkKeys(["name", "state", "next"])
        guard let name = reader.string("name", required: true), !name.isEmpty else { return nil }
        let state = reader.string("state"), next = reader.string("next")
        if state == nil && next == nil {
            context.warning("a scenario step without \"state\" or \"next\" does nothing", at: node.position, pointer)
        }
        return ScenarioStep(name: name, state: state, next: next)
    }

    /// `{"delay": "250ms" | {"min": "100ms", "max": "1s"}, "fault": "reset" | … | {"trickle": {"bytes": 8, "every": "50ms"}}}`
    func decodeBehaviour(_ node: JSONNode, _ pointer: JSONPointer, _ context: LoadContext) -> MockBehaviour? {
        guard let reader = ObjectReader(node, pointer, context, what: "an interaction's \"mock\" settings") else { return nil }
        reader.checkKeys(["delay", "fault"])
        var behaviour = MockBehaviour()
        func duration(_ n: JSONNode, _ p: JSONPointer) -> Int? {
            guard let text = n.stringValue, let ms = DurationText.milliseconds(text) else {
                context.error("a duration is written like \"250ms\", \"2s\" or \"1m\", found \(n.rendered())", at: n.position, p)
                return nil
            }
            return ms
        }
        if let delay = reader["delay"] {
            if let range = delay.objectValue {
                let r = ObjectReader(delay, pointer / "delay", context, what: "a delay range")!
                r.checkKeys(["min", "max"])
                if let lo = range["min"].flatMap({ duration($0, pointer / "delay" / "min") }),
                   let hi = range["max"].flatMap({ duration($0, pointer / "delay" / "max") }) {
                    if lo <= hi { behaviour.delay = lo...hi } else {
                        context.error("delay \"min\" is larger than \"max\"", at: delay.position, pointer / "delay")
                    }
                } else if range["min"] == nil || range["max"] == nil {
                    context.error("a delay range needs \"min\" and \"max\"", at: delay.position, pointer / "delay")
                }
            } else if let ms = duration(delay, pointer / "delay") {
                behaviour.delay = ms...ms
            }
        }
        if let fault = reader["fault"] {
            let names: [String: MockBehaviour.Fault] = ["reset": .reset, "empty": .empty, "malformed": .malformed, "truncate": .truncate]
            if let name = fault.stringValue, let known = names[name] {
                behaviour.fault = known
            } else if let trickle = fault["trickle"], let t = ObjectReader(trickle, pointer / "fault" / "trickle", context, what: "a trickle") {
                t.checkKeys(["bytes", "every"])
                let bytes = t.integer("bytes", in: 1...65_536) ?? 1
                let every = t["every"].flatMap { duration($0, pointer / "fault" / "trickle" / "every") } ?? 100
                behaviour.fault = .trickle(bytes: bytes, everyMilliseconds: every)
            } else {
                context.error("\"fault\" is one of \"reset\", \"empty\", \"malformed\", \"truncate\" or {\"trickle\": {\"bytes\": N, \"every\": \"50ms\"}}, found \(fault.rendered())",
                              at: fault.position, pointer / "fault")
            }
        }
        return behaviour
    }

    func decodeStates(_ node: JSONNode, _ pointer: JSONPointer, _ context: LoadContext) -> [ProviderState] {
        if let single = node.stringValue { return [ProviderState(name: single)] }
        guard let elements = node.arrayValue else {
            context.error("\"given\" must be an array of states, found \(node.typeName)", at: node.position, pointer)
            return []
        }
        var states: [ProviderState] = []
        for (i, element) in elements.enumerated() {
            if let name = element.stringValue {
                states.append(ProviderState(name: name))
                continue
            }
            guard let reader = ObjectReader(element, pointer / i, context, what: "a provider state") else { continue }
            reader.checkKeys(["state", "params"])
            guard let name = reader.string("state", required: true) else { continue }
            if name.trimmedWhitespace.isEmpty {
                context.error("a provider state name must not be empty", at: reader["state"]?.position, pointer / i / "state")
            }
            var params = JSONObject()
            if let p = reader["params"] {
                if let object = p.objectValue {
                    params = object
                } else {
                    context.error("state \"params\" must be an object, found \(p.typeName)", at: p.position, pointer / i / "params")
                }
            }
            states.append(ProviderState(name: name, params: params))
        }
        return states
    }
}


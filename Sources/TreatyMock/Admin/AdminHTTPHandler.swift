import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import TreatyMatching
import TreatyModel

/// Where and how the admin API listens.
public struct AdminSettings: Sendable {
    public var port: Int
    /// The address to bind: loopback unless asked; any other needs a token.
    public var host: String
    /// When set, every admin request needs `Authorization: Bearer TOKEN`.
    public var token: String?
    /// Reads the files contracts added through `POST /contracts` refer to (`bodyFile`, protobuf
    /// descriptors), relative to the `file` the request names, inside the mock's root.
    public var resolver: any ReferenceResolver

    public init(port: Int, host: String = "127.0.0.1", token: String? = nil, resolver: any ReferenceResolver = NoReferences()) {
        self.port = port
        self.host = host
        self.token = token
        self.resolver = resolver
    }
}

/// The admin API (see docs/admin-api.md): what is served, the request journal, unmatched requests,
/// expectations for consumer tests, and reset. JSON in and out.
final class AdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let runtime: AdminView
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(runtime: AdminView) { self.runtime = runtime }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(let chunk):
            // Larger bodies are cut at 1 MiB (and refused where a body matters).
            if body.count < 1 << 20 { body += Array(chunk.readableBytesView.prefix((1 << 20) - body.count + 1)) }
        case .end:
            guard let head else { return }
            self.head = nil
            if let refusal = runtime.access.refusal(head) {
                return respond(context, head: head, status: refusal.status, body: Self.json(.object([("error", .string(refusal.message))])))
            }
            if let pending = routeAsync(head, self.body, on: context.eventLoop) {
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                pending.hop(to: context.eventLoop).whenSuccess { status, node in
                    let (handler, context) = bound.value
                    guard context.channel.isActive else { return }
                    handler.respond(context, head: head, status: status, body: Self.json(node))
                }
                return
            }
            let (status, body) = route(head, self.body)
            respond(context, head: head, status: status, body: body)
        }
    }

    private func respond(_ context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, body: [UInt8]) {
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.count))])
        if status == .unauthorized { headers.add(name: "WWW-Authenticate", value: "Bearer") }
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let keepAlive = head.isKeepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    /// `POST /contracts`: loading is quick, binding a new port completes later.
    func routeAsync(_ head: HTTPRequestHead, _ requestBody: [UInt8], on loop: any EventLoop)
        -> EventLoopFuture<(HTTPResponseStatus, JSONNode)>? {
        let request = HTTPRequestData(method: head.method.rawValue, target: head.uri)
        guard head.method == .POST || head.method == .PUT, request.path == "/contracts" else { return nil }
        let query = PercentEncoding.parseQuery(request.query)
        let file = query.first { $0.name == "file" }?.value
        let portText = query.first { $0.name == "port" }?.value
        let port = portText.flatMap(Int.init)
        if let portText, port.map({ !(0...65535).contains($0) }) ?? true {
            return loop.makeSucceededFuture((.badRequest, .object([("error", .string("port must be between 0 and 65535, found \"\(portText)\""))])))
        }
        if requestBody.count >= 1 << 20 {
            return loop.makeSucceededFuture((.payloadTooLarge, .object([("error", .string("a contract sent to the admin API is at most 1 MiB"))])))
        }
        return runtime.putContract(requestBody, file: file, port: port, on: loop)
    }

    /// Admin answers are immediate: at shutdown, close unless a request is half read.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is GracefulShutdown else { return context.fireUserInboundEventTriggered(event) }
        if head == nil { context.close(promise: nil) }
    }

    /// Answers a request `AdminAccess` let through.
    func route(_ head: HTTPRequestHead, _ requestBody: [UInt8] = []) -> (HTTPResponseStatus, [UInt8]) {
        let request = HTTPRequestData(method: head.method.rawValue, target: head.uri)
        let query = PercentEncoding.parseQuery(request.query)
        let limit = query.first { $0.name == "limit" }.flatMap { Int($0.value) } ?? 100
        switch (head.method, request.path) {
        case (.GET, "/health"): return (.ok, Self.json(.object([("status", .string("ok"))])))
        case (.GET, "/contracts"): return (.ok, Self.json(runtime.contracts()))
        case (.GET, "/journal"): return (.ok, Self.json(runtime.journalJSON(limit: limit, unmatchedOnly: false)))
        case (.GET, "/unmatched"): return (.ok, Self.json(runtime.journalJSON(limit: limit, unmatchedOnly: true)))
        case (.GET, "/expectations"): return (.ok, Self.json(runtime.expectations()))
        case (.POST, "/reset"):
            runtime.journal.reset()
            runtime.states.forEach { $0.reset() }
            runtime.callbacks.reset()
            return (.ok, Self.json(.object([("reset", .bool(true))])))
        case (.GET, "/callbacks"): return (.ok, Self.json(runtime.callbacksJSON(limit: limit)))
        case (.POST, "/messages/publish"):
            return runtime.publish(requestBody)
        case (.GET, "/messages"):
            return (.ok, Self.json(.object([("subscribers", .number(runtime.hub.count()))])))
        case (.GET, "/triggers"):
            var held: [String: Int] = [:]
            for state in runtime.states { held.merge(state.holds.counts()) { $0 + $1 } }
            return (.ok, Self.json(.object([("held", .object(held.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) }))])))
        case (.POST, let path) where path.hasPrefix("/triggers/") && path.count > "/triggers/".count:
            let name = PercentEncoding.decode(path.dropFirst("/triggers/".count))
            let released = runtime.states.reduce(0) { $0 + $1.holds.release("trigger:" + name) }
            return (.ok, Self.json(.object([("trigger", .string(name)), ("released", .number(released))])))
        case (.GET, "/scenarios"):
            return (.ok, Self.json(runtime.scenariosJSON()))
        case (.PUT, "/scenarios"):
            guard let object = try? JSONParser.parse(requestBody).root.objectValue,
                  object.members.allSatisfy({ $0.value.stringValue != nil }) else {
                return (.badRequest, Self.json(.object([("error", .string("send {\"SCENARIO\": \"STATE\", …}"))])))
            }
            for member in object.members { runtime.states.forEach { $0.setScenario(member.key, to: member.value.stringValue!) } }
            return (.ok, Self.json(runtime.scenariosJSON()))
        case (.GET, "/states"):
            return (.ok, Self.json(runtime.statesJSON()))
        case (.PUT, "/states"):
            guard let root = try? JSONParser.parse(requestBody).root, let value = root["states"],
                  value.isNull || (value.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false) else {
                return (.badRequest, Self.json(.object([("error", .string("send {\"states\": [\"NAME\", …]} or {\"states\": null} for all"))])))
            }
            let selection = value.arrayValue.map { Set($0.compactMap(\.stringValue)) }
            runtime.states.forEach { $0.select(states: selection) }
            return (.ok, Self.json(runtime.statesJSON()))
        default:
            return (.notFound, Self.json(.object([
                ("error", .string("no admin endpoint \(head.method.rawValue) \(request.path)")),
                ("endpoints", .array(["GET /health", "GET /contracts", "GET /journal?limit=N", "GET /unmatched?limit=N",
                                      "GET /expectations", "GET /callbacks?limit=N", "POST /contracts?file=F&port=N", "GET /triggers",
                                      "GET /messages", "POST /messages/publish",
                                      "POST /triggers/NAME", "POST /reset",
                                      "GET /scenarios", "PUT /scenarios", "GET /states", "PUT /states"].map { .string($0) })),
            ])))
        }
    }

    static func json(_ node: JSONNode) -> [UInt8] { node.renderedBytes(pretty: true) + [0x0A] }
}

/// What the admin API reads and changes: the served contracts, the journal and the callbacks.
struct AdminView: Sendable {
    let table: ServingTable
    let journal: MockJournal
    let callbacks: CallbackDispatcher
    let hub: MessageHub
    let access: AdminAccess
    var resolver: any ReferenceResolver = NoReferences()
    /// The webhook for published messages when a publish names none (`--publish-url`).
    var publishURL: String? = nil
    /// Serves a contract on a new port (`POST /contracts` with a contract no port serves yet).
    let install: @Sendable (Contract, Int) -> EventLoopFuture<ServedContract>
    let unmatchedStatus: Int

    /// By table index (the journal's contract number); nil for a slot whose port is not bound.
    var slots: [ServingTable.Slot] { table.slots() }
    /// The contracts as served now (they change on reload), by table index.
    var contractsServed: [Contract] { slots.map(\.box.current.contract) }
    /// One per served contract.
    var states: [MockState] { slots.filter { $0.place != nil }.map(\.box.current.state) }

    func scenariosJSON() -> JSONNode {
        var names = Set<String>()
        for contract in contractsServed { for i in contract.interactions { if let s = i.scenario { names.insert(s.name) } } }
        var merged: [String: String] = [:]
        for state in states { merged.merge(state.scenarios) { a, _ in a } }
        return .object(names.union(merged.keys).sorted().map { ($0, .string(merged[$0] ?? ScenarioStep.initialState)) })
    }

    func statesJSON() -> JSONNode {
        let selection = states.first?.selectedStates
        var all = Set<String>()
        for contract in contractsServed { for i in contract.interactions { all.formUnion(i.states.map(\.name)) } }
        return .object([
            ("selected", selection.map { .array($0.sorted().map { .string($0) }) } ?? .null),
            ("known", .array(all.sorted().map { .string($0) })),
        ])
    }

    func contracts() -> JSONNode {
        let calls = journal.calls()
        return .array(slots.enumerated().compactMap { index, slot in
            guard let place = slot.place else { return nil }
            let contract = slot.box.current.contract
            return .object([
                ("file", .string(contract.file)), ("consumer", .string(contract.consumer)), ("provider", .string(contract.provider)),
                ("url", .string(place.url)),
                ("interactions", .array(contract.interactions.enumerated().map { position, interaction in
                    var members: [(String, JSONNode)] = [("name", .string(interaction.name)), ("kind", .string(interaction.kind.name.displayName))]
                    if let request = interaction.kind.openingRequest {
                        members.append(("method", .string(request.method)))
                        members.append(("path", .string(request.path.example.stringValue ?? "")))
                    }
                    if !interaction.callbacks.isEmpty { members.append(("callbacks", .number(interaction.callbacks.count))) }
                    members.append(("calls", .number(index < calls.count && position < calls[index].count ? calls[index][position] : 0)))
                    return .object(members)
                })),
            ])
        })
    }

    /// Loads `bytes` as a contract and serves it: in place of the served contract with the same
    /// file name (or, without one, the same consumer and provider), or on a new port.
    func putContract(_ bytes: [UInt8], file: String?, port: Int?, on loop: any EventLoop) -> EventLoopFuture<(HTTPResponseStatus, JSONNode)> {
        // Loading reads files and may run protoc for .proto files: on the thread pool, so the
        // event loop goes on serving (the admin port shares the loops with the mocked ports).
        let resolver = self.resolver
        return NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
            ContractLoader(resolver: resolver).load(bytes, file: file ?? "(admin API)")
        }.flatMap { loaded in
            serve(loaded, file: file, port: port, on: loop)
        }
    }

    private func serve(_ loaded: ContractLoader.Result, file: String?, port: Int?, on loop: any EventLoop)
        -> EventLoopFuture<(HTTPResponseStatus, JSONNode)> {
        guard var contract = loaded.contract, !loaded.diagnostics.containsErrors else {
            return loop.makeSucceededFuture((.badRequest, .object([
                ("error", .string("the contract does not load; nothing changed")),
                ("diagnostics", .array(loaded.diagnostics.map { .string($0.description) })),
            ])))
        }
        // Without a file name, a contract is known by its consumer and provider.
        if file == nil { contract.file = "admin/\(contract.consumer)-\(contract.provider).json" }
        let name = contract.file
        let current = slots
        let target = current.indices.first { current[$0].place != nil && current[$0].box.current.contract.file == name && file != nil }
            ?? (file == nil ? current.indices.first { current[$0].place != nil
                && current[$0].box.current.contract.consumer == contract.consumer
                && current[$0].box.current.contract.provider == contract.provider } : nil)
        if let index = target, let place = current[index].place {
            let previous = current[index].box.current
            let state = MockState(selectedStates: previous.state.selectedStates)
            journal.setInteractions(contract: index, count: contract.interactions.count)
            current[index].box.replace(with: MockResponder(contract: contract, unmatchedStatus: unmatchedStatus, state: state))
            return loop.makeSucceededFuture((.ok, Self.installed(contract, place, replaced: true)))
        }
        let added = contract
        return install(added, port ?? added.mock.port ?? 0).map { place in
            (.created, Self.installed(added, place, replaced: false))
        }.flatMapErrorThrowing { error in
            (.conflict, .object([("error", .string((error as? TreatyError).map { $0.message + ($0.cause.map { " (\($0))" } ?? "") } ?? "\(error)"))]))
        }
    }

    static func installed(_ contract: Contract, _ place: ServedContract, replaced: Bool) -> JSONNode {
        .object([("file", .string(contract.file)), ("consumer", .string(contract.consumer)), ("provider", .string(contract.provider)),
                 ("url", .string(place.url)), ("interactions", .number(contract.interactions.count)), ("replaced", .bool(replaced))])
    }

    /// `POST /messages/publish` with `{"interaction": NAME, "contract": FILE?, "to": URL?}`: the message
    /// goes to the contract's subscribers (`GET /_treaty/messages`) and, with `to`, as a webhook
    /// (a POST of its contents, metadata in `Pact-Message-Metadata`) whose delivery `/callbacks` shows.
    func publish(_ requestBody: [UInt8]) -> (HTTPResponseStatus, [UInt8]) {
        func problem(_ status: HTTPResponseStatus, _ text: String) -> (HTTPResponseStatus, [UInt8]) {
            (status, AdminHTTPHandler.json(.object([("error", .string(text))])))
        }
        guard let body = try? JSONParser.parse(requestBody).root, let name = body["interaction"]?.stringValue else {
            return problem(.badRequest, "send {\"interaction\": NAME, \"contract\": FILE (optional), \"to\": URL (optional)}")
        }
        let file = body["contract"]?.stringValue
        let to = body["to"]?.stringValue ?? publishURL
        if let to, !(to.hasPrefix("http://") || to.hasPrefix("https://")) {
            return problem(.badRequest, "\"to\" is an absolute http:// or https:// URL, found \"\(to)\"")
        }
        let current = slots
        guard let (index, interaction) = current.indices.lazy.compactMap({ i -> (Int, Interaction)? in
            guard current[i].place != nil else { return nil }
            let contract = current[i].box.current.contract
            guard file == nil || contract.file == file else { return nil }
            return contract.message(named: name).map { (i, $0.interaction) }
        }).first, case .message(let message) = interaction.kind else {
            return problem(.notFound, "no message interaction \"\(name)\"" + (file.map { " in \($0)" } ?? "") + "; GET /contracts lists them")
        }
        var contents = message.contents?.exampleBytes ?? []
        if case .json(let pattern)? = message.contents, pattern.hasGenerators {
            let generator = ValueGenerator(context: .init(request: HTTPRequestData(method: "POST", target: "/"),
                                                          stateParameters: JSONObject(interaction.states.flatMap(\.params.members)), baseURL: ""))
            contents = generator.render(pattern).renderedBytes()
        }
        let contract = current[index].box.current.contract.file
        let subscribers = hub.publish(contract: index, event: name, data: String(decoding: contents, as: UTF8.self))
        var webhook: JSONNode = .null
        if let to {
            let metadata = JSONNode.object(message.metadata.map { ($0.name, .string($0.values.first?.example.stringValue ?? "")) })
            let type = message.metadata.first { $0.name == "contentType" }?.values.first?.example.stringValue
                ?? message.contents?.defaultContentType ?? "application/octet-stream"
            callbacks.fire([RenderedCallback(name: "publish \(name)", delayMilliseconds: 0, method: "POST", url: to,
                                             headers: [("Content-Type", type), ("Pact-Message-Metadata", Base64Text.encode(metadata.renderedBytes()))],
                                             body: contents)],
                           contract: contract, interaction: name)
            webhook = .string(to)
        }
        return (.ok, AdminHTTPHandler.json(.object([
            ("interaction", .string(name)), ("contract", .string(contract)), ("subscribers", .number(subscribers)), ("webhook", webhook),
        ])))
    }

    func callbacksJSON(limit: Int) -> JSONNode {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let counts = callbacks.counts()
        return .object([
            ("delivered", .number(counts[.delivered] ?? 0)), ("rejected", .number(counts[.rejected] ?? 0)),
            ("failed", .number(counts[.failed] ?? 0)), ("cancelled", .number(counts[.cancelled] ?? 0)),
            ("deliveries", .array(callbacks.deliveries().suffix(max(0, limit)).map { d in
                var members: [(String, JSONNode)] = [
                    ("time", .string(formatter.string(from: Date(timeIntervalSince1970: d.time)))),
                    ("contract", .string(d.contract)), ("interaction", .string(d.interaction)), ("callback", .string(d.callback)),
                    ("method", .string(d.method)), ("url", .string(d.url)), ("outcome", .string(d.outcome.rawValue)),
                ]
                if let status = d.status { members.append(("status", .number(status))) }
                if let error = d.error { members.append(("error", .string(error))) }
                if let ms = d.milliseconds { members.append(("milliseconds", .number(ms))) }
                return .object(members)
            })),
        ])
    }

    func journalJSON(limit: Int, unmatchedOnly: Bool) -> JSONNode {
        var entries = journal.entries()
        if unmatchedOnly { entries = entries.filter { $0.interaction == nil } }
        entries = Array(entries.suffix(max(0, limit)))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return .object([
            ("recorded", .number(journal.recorded)), ("capacity", .number(journal.capacity)),
            ("entries", .array(entries.map { entry in
                var members: [(String, JSONNode)] = [
                    ("time", .string(formatter.string(from: Date(timeIntervalSince1970: entry.time)))),
                    ("contract", .string(entry.contract < contractsServed.count ? contractsServed[entry.contract].file : "")),
                    ("method", .string(entry.method)),
                    ("target", .string(entry.path + (entry.query.isEmpty ? "" : "?" + entry.query))),
                    ("status", .number(entry.status)),
                    ("interaction", entry.interaction.map { .string($0) } ?? .null),
                ]
                if entry.interaction == nil {
                    members.append(("nearest", entry.nearest.map { .string($0) } ?? .null))
                    members.append(("mismatches", .array(entry.mismatches.map(\.json))))
                }
                return .object(members)
            })),
        ])
    }

    /// Interactions never called, for consumer tests (`--expect-all` prints the same at shutdown).
    func expectations() -> JSONNode {
        let never = neverCalled()
        return .object([
            ("satisfied", .bool(never.isEmpty)),
            ("neverCalled", .array(never.map { .object([("contract", .string($0.contract)), ("interaction", .string($0.interaction))]) })),
            ("unmatchedRequests", .number(journal.entries().filter { $0.interaction == nil }.count)),
        ])
    }

    func neverCalled() -> [(contract: String, interaction: String)] {
        let calls = journal.calls()
        var out: [(String, String)] = []
        for (index, slot) in slots.enumerated() where slot.place != nil {
            let contract = slot.box.current.contract
            for (position, interaction) in contract.interactions.enumerated() where interaction.kind.name.expectedToBeCalled {
                if index < calls.count, position < calls[index].count, calls[index][position] == 0 {
                    out.append((contract.file, interaction.name))
                }
            }
        }
        return out
    }
}

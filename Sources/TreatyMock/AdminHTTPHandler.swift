import Foundation
import NIOCore
import NIOHTTP1
import TreatyMatching
import TreatyModel

/// Where and how the admin API listens.
public struct AdminSettings: Sendable {
    public var port: Int
    /// When set, every admin request needs `Authorization: Bearer TOKEN`.
    public var token: String?

    public init(port: Int, token: String? = nil) {
        self.port = port
        self.token = token
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
            if body.count + chunk.readableBytes <= 1 << 20 { body += Array(chunk.readableBytesView) }
        case .end:
            guard let head else { return }
            self.head = nil
            let (status, body) = route(head, self.body)
            var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.count))])
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    /// Admin answers are immediate: at shutdown, close unless a request is half read.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is GracefulShutdown else { return context.fireUserInboundEventTriggered(event) }
        if head == nil { context.close(promise: nil) }
    }

    func route(_ head: HTTPRequestHead, _ requestBody: [UInt8] = []) -> (HTTPResponseStatus, [UInt8]) {
        if let token = runtime.token, head.headers.first(name: "Authorization") != "Bearer \(token)" {
            return (.unauthorized, Self.json(.object([("error", .string("the admin API needs Authorization: Bearer <token>"))])))
        }
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
            return (.ok, Self.json(.object([("reset", .bool(true))])))
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
                                      "GET /expectations", "POST /reset", "GET /scenarios", "PUT /scenarios", "GET /states",
                                      "PUT /states"].map { .string($0) })),
            ])))
        }
    }

    static func json(_ node: JSONNode) -> [UInt8] { node.renderedBytes(pretty: true) + [0x0A] }
}

/// What the admin API reads: the served contracts and the journal.
struct AdminView: Sendable {
    let served: [ServedContract]
    let boxes: [ResponderBox]
    let journal: MockJournal
    let token: String?

    /// The contracts as served now (they change on reload).
    var contractsServed: [Contract] { boxes.map(\.current.contract) }
    /// One per served contract.
    var states: [MockState] { boxes.map(\.current.state) }

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
        return .array(zip(served, contractsServed).enumerated().map { index, pair in
            let (place, contract) = pair
            return .object([
                ("file", .string(contract.file)), ("consumer", .string(contract.consumer)), ("provider", .string(contract.provider)),
                ("url", .string(place.url)),
                ("interactions", .array(contract.interactions.enumerated().map { position, interaction in
                    var members: [(String, JSONNode)] = [("name", .string(interaction.name)), ("kind", .string(interaction.kindName))]
                    if let request = interaction.http?.request {
                        members.append(("method", .string(request.method)))
                        members.append(("path", .string(request.path.example.stringValue ?? "")))
                    }
                    members.append(("calls", .number(index < calls.count && position < calls[index].count ? calls[index][position] : 0)))
                    return .object(members)
                })),
            ])
        })
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
        for (index, contract) in contractsServed.enumerated() {
            for (position, interaction) in contract.interactions.enumerated() where interaction.http != nil {
                if index < calls.count, position < calls[index].count, calls[index][position] == 0 {
                    out.append((contract.file, interaction.name))
                }
            }
        }
        return out
    }
}

/// What each interaction kind is, in one place. Every fact is an exhaustive switch, so a new kind
/// is a compile error here first, and then at each site that switches over `Interaction.Kind`.
extension Interaction.Kind {
    /// A kind without its payload: the key it has in a contract, and what Treaty does with it.
    public enum Name: String, CaseIterable, Sendable {
        case http, longPoll, sse, websocket, grpc, jsonrpc, message, tcp, udp
        /// Pact V4 `Synchronous/Messages`: loaded from Pact files, not written in Treaty's format.
        case synchronousMessage

        /// The kinds a Treaty contract may name, as their keys (`"http": {…}`).
        public static let contractKeys: [Name] = allCases.filter(\.inContractFormat)

        /// Whether Treaty's contract format has this kind (as a key of an interaction).
        public var inContractFormat: Bool {
            switch self {
            case .http, .sse, .longPoll, .websocket, .jsonrpc, .grpc, .tcp, .udp, .message: true
            case .synchronousMessage: false
            }
        }

        /// How reports and messages name the kind.
        public var displayName: String {
            switch self {
            case .http, .sse, .longPoll, .websocket, .jsonrpc, .grpc, .tcp, .udp, .message: rawValue
            case .synchronousMessage: "synchronous message"
            }
        }

        /// The `$defs` entry of Schemas/treaty-contract-v1.schema.json that describes the kind.
        public var schemaDefinition: String? { inContractFormat ? rawValue + "Interaction" : nil }

        /// Whether `treaty mock` answers a consumer's request for it. Messages are published by
        /// the mock instead (admin API, `treaty publish`); synchronous messages are not served.
        public var servedByMock: Bool {
            switch self {
            case .http, .sse, .longPoll, .websocket, .jsonrpc, .grpc, .tcp, .udp: true
            case .message, .synchronousMessage: false
            }
        }

        /// Whether `treaty verify` checks it against a provider (messages through `--message-url`).
        public var verifiedByVerifier: Bool {
            switch self {
            case .http, .sse, .longPoll, .websocket, .jsonrpc, .grpc, .tcp, .udp, .message: true
            case .synchronousMessage: false
            }
        }

        /// Whether it is played on a raw TCP/UDP port rather than over HTTP (such interactions keep
        /// a contract to themselves).
        public var usesRawPort: Bool {
            switch self {
            case .tcp, .udp: true
            case .http, .sse, .longPoll, .websocket, .jsonrpc, .grpc, .message, .synchronousMessage: false
            }
        }

        /// Whether `--expect-all` and `GET /expectations` count it as an interaction to be called.
        public var expectedToBeCalled: Bool { servedByMock }
    }

    public var name: Name {
        switch self {
        case .http: .http
        case .sse: .sse
        case .longPoll: .longPoll
        case .websocket: .websocket
        case .jsonrpc: .jsonrpc
        case .grpc: .grpc
        case .tcp: .tcp
        case .udp: .udp
        case .message: .message
        case .synchronousMessage: .synchronousMessage
        }
    }

    /// The HTTP request that opens the interaction and picks it among others by method and path
    /// (http, sse, longPoll, websocket); nil for kinds chosen otherwise (a JSON-RPC method, a gRPC
    /// path, a raw message) or not requested at all.
    public var openingRequest: HTTPRequestSpec? {
        switch self {
        case .http(let http): http.request
        case .sse(let sse): sse.request
        case .longPoll(let poll): poll.request
        case .websocket(let ws): ws.request
        case .jsonrpc, .grpc, .tcp, .udp, .message, .synchronousMessage: nil
        }
    }

    /// The interaction a long poll waits for (`"hold": {"untilCalled": NAME}`), if any.
    public var awaitedCall: String? {
        switch self {
        case .longPoll(let poll):
            if case .call(let name) = poll.hold { return name }
            return nil
        case .http, .sse, .websocket, .jsonrpc, .grpc, .tcp, .udp, .message, .synchronousMessage: return nil
        }
    }
}

extension Contract {
    /// The message interaction called `name`, and its message (what the mock publishes or produces).
    public func message(named name: String) -> (interaction: Interaction, message: MessageSpec)? {
        for interaction in interactions where interaction.name == name {
            if case .message(let message) = interaction.kind { return (interaction, message) }
        }
        return nil
    }
}

/// One exchange between consumer and provider.
public struct Interaction: Sendable {
    public var name: String
    public var description: String?
    /// Provider states, in the order they are set up.
    public var states: [ProviderState]
    public var kind: Kind
    /// Delays and faults the mock plays for this interaction.
    public var behaviour: MockBehaviour?
    /// The scenario state this interaction needs and the one it moves to.
    public var scenario: ScenarioStep?
    /// Requests the provider makes after answering (webhooks).
    public var callbacks: [Callback] = []
    /// Where the interaction was written, for diagnostics and reports.
    public var position: SourcePosition
    public var pointer: JSONPointer

    public enum Kind: Sendable {
        case http(HTTPInteraction)
        /// A Server-Sent Events stream.
        case sse(SSEInteraction)
        /// A request held until something happens.
        case longPoll(LongPollInteraction)
        /// A WebSocket conversation.
        case websocket(WebSocketInteraction)
        /// A JSON-RPC 2.0 call over HTTP.
        case jsonrpc(JSONRPCInteraction)
        /// A gRPC call (any of the four kinds).
        case grpc(GRPCInteraction)
        /// A raw TCP conversation.
        case tcp(TCPInteraction)
        /// A UDP request datagram and its answers.
        case udp(UDPInteraction)
        /// An asynchronous message (from Pact message pacts and V4 `Asynchronous/Messages`).
        case message(MessageSpec)
        /// A request message answered by one or more response messages (Pact V4 `Synchronous/Messages`).
        case synchronousMessage(request: MessageSpec, responses: [MessageSpec])
    }

    public init(
        name: String,
        description: String? = nil,
        states: [ProviderState] = [],
        kind: Kind,
        position: SourcePosition = .start,
        pointer: JSONPointer = .root
    ) {
        self.name = name
        self.description = description
        self.states = states
        self.kind = kind
        self.position = position
        self.pointer = pointer
    }

    /// The HTTP exchange, for HTTP interactions.
    public var http: HTTPInteraction? {
        switch kind {
        case .http(let http): http
        default: nil
        }
    }

    /// The SSE stream, for SSE interactions.
    public var sse: SSEInteraction? {
        if case .sse(let sse) = kind { return sse }
        return nil
    }

    /// The long-poll exchange, for long-poll interactions.
    public var longPoll: LongPollInteraction? {
        if case .longPoll(let poll) = kind { return poll }
        return nil
    }

    /// The message, for asynchronous message interactions.
    public var message: MessageSpec? {
        if case .message(let spec) = kind { return spec }
        return nil
    }

    /// The call, for JSON-RPC interactions.
    public var jsonrpc: JSONRPCInteraction? {
        if case .jsonrpc(let call) = kind { return call }
        return nil
    }

    /// The call, for gRPC interactions.
    public var grpc: GRPCInteraction? {
        if case .grpc(let call) = kind { return call }
        return nil
    }

    /// The conversation, for TCP interactions.
    public var tcp: TCPInteraction? {
        if case .tcp(let conversation) = kind { return conversation }
        return nil
    }

    /// The exchange, for UDP interactions.
    public var udp: UDPInteraction? {
        if case .udp(let exchange) = kind { return exchange }
        return nil
    }

    /// The WebSocket conversation, for WebSocket interactions.
    public var websocket: WebSocketInteraction? {
        if case .websocket(let ws) = kind { return ws }
        return nil
    }

    /// The HTTP request that starts the interaction, for kinds served over HTTP (http, sse, longPoll, websocket).
    public var requestSpec: HTTPRequestSpec? {
        switch kind {
        case .http(let http): http.request
        case .sse(let sse): sse.request
        case .longPoll(let poll): poll.request
        case .websocket(let ws): ws.request
        default: nil
        }
    }

    /// The kind's key in the contract format (`http`).
    public var kindName: String {
        switch kind {
        case .http: "http"
        case .sse: "sse"
        case .longPoll: "longPoll"
        case .websocket: "websocket"
        case .jsonrpc: "jsonrpc"
        case .grpc: "grpc"
        case .tcp: "tcp"
        case .udp: "udp"
        case .message: "message"
        case .synchronousMessage: "synchronous message"
        }
    }
}

/// The interaction kinds of the format: those built and those reserved for later versions.
public enum InteractionKindName: String, CaseIterable, Sendable {
    case http, longPoll, sse, websocket, grpc, jsonrpc, message, tcp, udp

    /// Kinds this version of Treaty loads, serves and verifies.
    public static let supported: Set<InteractionKindName> = [.http, .sse, .longPoll, .websocket, .message, .jsonrpc, .grpc, .tcp, .udp]
}

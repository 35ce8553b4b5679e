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
}

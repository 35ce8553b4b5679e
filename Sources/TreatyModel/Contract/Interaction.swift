/// One exchange between consumer and provider.
public struct Interaction: Sendable {
    public var name: String
    public var description: String?
    /// Provider states, in the order they are set up.
    public var states: [ProviderState]
    public var kind: Kind
    /// Where the interaction was written, for diagnostics and reports.
    public var position: SourcePosition
    public var pointer: JSONPointer

    public enum Kind: Sendable {
        case http(HTTPInteraction)
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
        }
    }

    /// The kind's key in the contract format (`http`).
    public var kindName: String {
        switch kind {
        case .http: "http"
        }
    }
}

/// The interaction kinds of the format: those built and those reserved for later versions.
public enum InteractionKindName: String, CaseIterable, Sendable {
    case http, longPoll, sse, websocket, grpc, jsonrpc, message, tcp, udp

    /// Kinds this version of Treaty loads, serves and verifies.
    public static let supported: Set<InteractionKindName> = [.http]
}

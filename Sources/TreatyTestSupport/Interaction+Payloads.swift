import TreatyModel

/// Tests read a decoded interaction's payload directly. Sources switch over `Interaction.Kind`
/// instead (so a new kind is a compile error where it must be handled); these accessors exist for
/// assertions only.
extension Interaction {
    public var http: HTTPInteraction? { if case .http(let payload) = kind { payload } else { nil } }
    public var sse: SSEInteraction? { if case .sse(let payload) = kind { payload } else { nil } }
    public var longPoll: LongPollInteraction? { if case .longPoll(let payload) = kind { payload } else { nil } }
    public var websocket: WebSocketInteraction? { if case .websocket(let payload) = kind { payload } else { nil } }
    public var jsonrpc: JSONRPCInteraction? { if case .jsonrpc(let payload) = kind { payload } else { nil } }
    public var grpc: GRPCInteraction? { if case .grpc(let payload) = kind { payload } else { nil } }
    public var tcp: TCPInteraction? { if case .tcp(let payload) = kind { payload } else { nil } }
    public var udp: UDPInteraction? { if case .udp(let payload) = kind { payload } else { nil } }
    public var message: MessageSpec? { if case .message(let payload) = kind { payload } else { nil } }
}

/// A loaded contract: who talks to whom, and the interactions they agreed on.
public struct Contract: Sendable {
    /// The file it came from, as given on the command line (used in diagnostics and reports).
    public var file: String
    /// The format version (`"treaty": 1`).
    public var formatVersion: Int
    public var consumer: String
    public var provider: String
    public var mock: MockSettings
    public var interactions: [Interaction]
    /// The protobuf descriptors gRPC interactions use (`"protobuf"`).
    public var protobuf: ProtobufSettings?
    /// Where the contract came from: a Treaty file, or a Pact file of this specification version.
    public var origin: Origin = .treaty

    public enum Origin: Sendable, Equatable {
        case treaty
        case pact(version: Int)
    }

    public init(
        file: String,
        formatVersion: Int = 1,
        consumer: String,
        provider: String,
        mock: MockSettings = MockSettings(),
        interactions: [Interaction]
    ) {
        self.file = file
        self.formatVersion = formatVersion
        self.consumer = consumer
        self.provider = provider
        self.mock = mock
        self.interactions = interactions
    }
}

/// How `treaty mock` serves a contract.
public struct MockSettings: Sendable {
    /// The port to listen on; nil lets the command choose (`--port` base or ephemeral).
    public var port: Int?

    public init(port: Int? = nil) { self.port = port }
}

/// A provider state an interaction needs, with its parameters (`{"state": "order exists", "params": {"id": 42}}`).
public struct ProviderState: Sendable, Equatable {
    public var name: String
    public var params: JSONObject

    public init(name: String, params: JSONObject = JSONObject()) {
        self.name = name
        self.params = params
    }
}

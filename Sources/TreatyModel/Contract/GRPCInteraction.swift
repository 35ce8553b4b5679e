/// A gRPC call: the method (from the contract's protobuf descriptors), the metadata and messages the
/// client sends, and the metadata, messages, status and trailers the server answers. Messages are
/// written in the proto3 JSON mapping, with Treaty matchers.
public struct GRPCInteraction: Sendable {
    /// Fully qualified service name (`shop.v1.Orders`).
    public var service: String
    /// Method name (`GetOrder`).
    public var method: String
    public var inputType: String
    public var outputType: String
    public var clientStreaming: Bool
    public var serverStreaming: Bool
    /// Request metadata, matched like HTTP headers (`-bin` values are base64).
    public var requestMetadata: [HeaderSpec]
    public var requests: [GRPCMessage]
    /// Response metadata (the HTTP/2 header block after `:status`).
    public var responseMetadata: [HeaderSpec]
    public var responses: [GRPCMessage]
    public var status: GRPCStatus
    /// `grpc-message`, a string pattern; nil when the contract says nothing.
    public var statusMessage: Pattern?
    /// `google.rpc.Status` details, each an `Any` in JSON form (`{"@type": …, …}`).
    public var details: [JSONNode]
    public var trailers: [HeaderSpec]

    /// The HTTP/2 `:path` (`/shop.v1.Orders/GetOrder`).
    public var path: String { "/\(service)/\(method)" }

    /// unary, client streaming, server streaming or bidirectional streaming.
    public var callKind: String {
        switch (clientStreaming, serverStreaming) {
        case (false, false): "unary"
        case (true, false): "client streaming"
        case (false, true): "server streaming"
        case (true, true): "bidirectional streaming"
        }
    }

    public init(service: String, method: String, inputType: String, outputType: String, clientStreaming: Bool = false,
                serverStreaming: Bool = false, requestMetadata: [HeaderSpec] = [], requests: [GRPCMessage], responseMetadata: [HeaderSpec] = [],
                responses: [GRPCMessage], status: GRPCStatus = .ok, statusMessage: Pattern? = nil, details: [JSONNode] = [],
                trailers: [HeaderSpec] = []) {
        self.service = service
        self.method = method
        self.inputType = inputType
        self.outputType = outputType
        self.clientStreaming = clientStreaming
        self.serverStreaming = serverStreaming
        self.requestMetadata = requestMetadata
        self.requests = requests
        self.responseMetadata = responseMetadata
        self.responses = responses
        self.status = status
        self.statusMessage = statusMessage
        self.details = details
        self.trailers = trailers
    }
}

/// One message of a call, with its timing.
public struct GRPCMessage: Sendable {
    /// The message in proto3 JSON, with matchers; the example is what is sent.
    public var pattern: Pattern
    /// Sent this long after the previous message (or the headers).
    public var afterMilliseconds: Int
    /// The verifier fails the call when the message comes later than this after the previous one.
    public var withinMilliseconds: Int?
    /// Bidirectional calls: the mock sends this message once this many request messages came
    /// (default: as many as its position, one answer per request; the rest after the client is done).
    public var afterRequests: Int?
    /// The binary form of the example, checked against the descriptors when the contract loads.
    public var exampleBytes: [UInt8]
    public var pointer: JSONPointer

    public init(pattern: Pattern, afterMilliseconds: Int = 0, withinMilliseconds: Int? = nil, afterRequests: Int? = nil,
                exampleBytes: [UInt8], pointer: JSONPointer = .root) {
        self.pattern = pattern
        self.afterMilliseconds = afterMilliseconds
        self.withinMilliseconds = withinMilliseconds
        self.afterRequests = afterRequests
        self.exampleBytes = exampleBytes
        self.pointer = pointer
    }
}

/// A gRPC status code, shown by its canonical name (`NOT_FOUND`).
public struct GRPCStatus: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var code: Int

    public init(code: Int) { self.code = code }

    public static let ok = GRPCStatus(code: 0)
    public static let cancelled = GRPCStatus(code: 1)
    public static let unknown = GRPCStatus(code: 2)
    public static let invalidArgument = GRPCStatus(code: 3)
    public static let deadlineExceeded = GRPCStatus(code: 4)
    public static let notFound = GRPCStatus(code: 5)
    public static let resourceExhausted = GRPCStatus(code: 8)
    public static let unimplemented = GRPCStatus(code: 12)
    public static let internalError = GRPCStatus(code: 13)
    public static let unavailable = GRPCStatus(code: 14)

    public static let names = [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    ]

    /// `NOT_FOUND` or `not_found` → 5.
    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name.uppercased()) else { return nil }
        code = index
    }

    public var name: String { Self.names[safe: code] ?? "CODE_\(code)" }
    public var description: String { "\(name) (\(code))" }
}

/// Protobuf descriptors a contract's gRPC interactions use.
public struct ProtobufSettings: Sendable {
    /// The descriptor set's path as the contract wrote it (or the .proto files').
    public var source: String
    public var pool: ProtoDescriptorPool

    public init(source: String, pool: ProtoDescriptorPool) {
        self.source = source
        self.pool = pool
    }
}

/// The fuzz targets: one entry per input format Treaty reads from files or the wire. `make fuzz`
/// runs each under libFuzzer (see docs/fuzzing.md); the normal test suite replays the seed corpora
/// and every saved crasher through the same `run`, so a fixed crash stays fixed.
///
/// A target returns normally for any input, however malformed: it traps only on a bug (a crash, an
/// out-of-bounds access, an overflow, or a broken invariant it checks).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// JSON parser (with a render/re-read check) and the contract loader, then the checks and mock
    /// preparation a loaded contract goes through.
    case json
    /// The same loader entry with Pact files (V1–V4) as seeds.
    case pact
    /// Protobuf binary → JSON and JSON → binary transcoding against recursive descriptors.
    case protobuf
    /// The SSE parser fed in pieces, then the SSE matcher.
    case sse
    /// The TCP frame reader under each framing, then the socket payload matcher.
    case socketFrames = "socket-frames"
    /// The verifier's WebSocket frame decoder and message reassembly, then the WebSocket matcher.
    case websocketFrames = "websocket-frames"
    /// The verifier's judgement of a received HTTP or gRPC answer.
    case answers
    /// Bytes through the mock's connection pipeline (HTTP/1.1 or HTTP/2, gRPC) in an EmbeddedChannel.
    case mockRequests = "mock-requests"

    /// Runs one input through the target.
    public func run(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        switch self {
        case .json: ContractFuzzing.json(bytes)
        case .pact: ContractFuzzing.load(bytes)
        case .protobuf: ProtobufFuzzing.transcode(bytes)
        case .sse: StreamFuzzing.sse(bytes)
        case .socketFrames: StreamFuzzing.socketFrames(bytes)
        case .websocketFrames: VerifierFuzzing.websocketFrames(bytes)
        case .answers: VerifierFuzzing.answer(bytes)
        case .mockRequests: MockFuzzing.request(bytes)
        }
    }

    /// Runs `bytes` through the target (for replaying saved inputs).
    public func run(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { run($0) }
    }
}

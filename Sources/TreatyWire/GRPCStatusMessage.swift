import TreatyModel

/// `grpc-message` is percent-encoded: bytes outside printable ASCII, and `%` itself (gRPC's
/// PROTOCOL-HTTP2). The mock encodes it; the verifier decodes it with `PercentEncoding.decode`.
public enum GRPCStatusMessage {
    /// Printable ASCII but `%`.
    static let kept: Set<UInt8> = Set((0x20...0x7E).filter { $0 != 0x25 })

    public static func encode(_ text: String) -> String { PercentEncoding.encode(text, keeping: kept) }
}

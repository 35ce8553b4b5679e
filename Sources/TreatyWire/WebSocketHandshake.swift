import Crypto
import Foundation

/// RFC 6455's opening handshake, for both sides: the server answers a key with its accept value,
/// the client checks it.
public enum WebSocketHandshake {
    /// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key` (RFC 6455 §4.2.2).
    public static func accept(_ key: String) -> String {
        Data(Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
    }
}

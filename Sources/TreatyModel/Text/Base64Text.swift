import Foundation

/// Base64 as contracts write binary payloads (`"binary": "AAEC"`).
public enum Base64Text {
    /// Standard base64, padded or not (gRPC's `-bin` metadata drops the padding).
    public static func decode(_ text: String) -> [UInt8]? {
        if let data = Data(base64Encoded: text) { return [UInt8](data) }
        guard text.utf8.count % 4 != 0 else { return nil }
        return Data(base64Encoded: text + String(repeating: "=", count: 4 - text.utf8.count % 4)).map { [UInt8]($0) }
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}

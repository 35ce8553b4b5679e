import Foundation

/// Base64 as contracts write binary payloads (`"binary": "AAEC"`).
public enum Base64Text {
    public static func decode(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text).map { [UInt8]($0) }
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}

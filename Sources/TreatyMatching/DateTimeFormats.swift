import Foundation
import Synchronization
import TreatyModel

/// Checks strings against date/time formats (Unicode/Java pattern letters such as `yyyy-MM-dd`).
enum DateTimeFormats {
    private static let cache = Mutex<[String: DateFormatter]>([:])

    /// Formats tried, in order, when a matcher gives none.
    static func defaults(for kind: DateTimeKind) -> [String] {
        switch kind {
        case .date: ["yyyy-MM-dd"]
        case .time: ["HH:mm:ss", "HH:mm:ss.SSS", "HH:mm"]
        case .datetime:
            ["yyyy-MM-dd'T'HH:mm:ssXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
             "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS"]
        }
    }

    static func matches(_ text: String, kind: DateTimeKind, format: String?) -> Bool {
        guard text.count <= 64 else { return false }
        let formats = format.map { [$0] } ?? defaults(for: kind)
        return formats.contains { parses(text, format: $0) }
    }

    static func parses(_ text: String, format: String) -> Bool {
        cache.withLock { cache in
            let formatter: DateFormatter
            if let cached = cache[format] {
                formatter = cached
            } else {
                formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.timeZone = TimeZone(identifier: "UTC")
                formatter.dateFormat = format
                formatter.isLenient = false
                if cache.count < 256 { cache[format] = formatter }
            }
            return formatter.date(from: text) != nil
        }
    }
}

import Foundation
import TreatyModel

/// Checks strings against date/time formats (Unicode/Java pattern letters such as `yyyy-MM-dd`).
///
/// No lock is shared between threads: every event loop of the mock and every worker of the
/// verifier used to queue on one lock around the formatters. The default formats, which most
/// contracts use, are read by `ISODateText` without a formatter; what it does not accept outright
/// (other formats, and texts it finds odd) goes to a `DateFormatter` of the calling thread's own.
enum DateTimeFormats {
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
        // Any one format will do, so the reader tries them all before any formatter runs (a
        // formatter's parse costs some hundred times the reader's).
        if formats.contains(where: { ISODateText.accepts(text, format: $0) }) { return true }
        let formatters = ThreadFormatters.current
        return formats.contains { formatters.formatter(for: $0).date(from: text) != nil }
    }

    static func parses(_ text: String, format: String) -> Bool {
        if ISODateText.accepts(text, format: format) { return true }
        return ThreadFormatters.current.formatter(for: format).date(from: text) != nil
    }
}

/// The calling thread's formatters, by format. A `DateFormatter` is not cheap to make, and one
/// shared between threads needs a lock; one per thread needs neither after the first use.
final class ThreadFormatters {
    private static let key = "treaty.DateTimeFormats.formatters"
    private var byFormat: [String: DateFormatter] = [:]

    static var current: ThreadFormatters {
        let dictionary = Thread.current.threadDictionary
        if let cache = dictionary[key] as? ThreadFormatters { return cache }
        let cache = ThreadFormatters()
        dictionary[key] = cache
        return cache
    }

    func formatter(for format: String) -> DateFormatter {
        if let cached = byFormat[format] { return cached }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        formatter.isLenient = false
        // Formats come from contracts; a thread keeps a bounded number.
        if byFormat.count < 256 { byFormat[format] = formatter }
        return formatter
    }
}

/// Reads the default ISO-8601 formats by hand. It only ever says yes to a text that the strict
/// `DateFormatter` accepts too: the exact shape of the format, fields in range, a real calendar
/// day in the years 1600 to 9999 (ICU's calendar is Julian before 1582, so older days are left to
/// it). Anything else is not a no, only "ask the formatter", so the answer never changes.
enum ISODateText {
    static func accepts(_ text: String, format: String) -> Bool {
        var reader = Reader(bytes: Array(text.utf8))
        switch format {
        case "yyyy-MM-dd": return reader.date() && reader.atEnd
        case "HH:mm": return reader.hourMinute() && reader.atEnd
        case "HH:mm:ss": return reader.time(fraction: 0) && reader.atEnd
        case "HH:mm:ss.SSS": return reader.time(fraction: 3) && reader.atEnd
        case "yyyy-MM-dd'T'HH:mm:ss": return reader.date() && reader.literal("T") && reader.time(fraction: 0) && reader.atEnd
        case "yyyy-MM-dd'T'HH:mm:ss.SSS": return reader.date() && reader.literal("T") && reader.time(fraction: 3) && reader.atEnd
        case "yyyy-MM-dd'T'HH:mm:ssXXX":
            return reader.date() && reader.literal("T") && reader.time(fraction: 0) && reader.zone() && reader.atEnd
        case "yyyy-MM-dd'T'HH:mm:ss.SSSXXX":
            return reader.date() && reader.literal("T") && reader.time(fraction: 3) && reader.zone() && reader.atEnd
        case "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX":
            return reader.date() && reader.literal("T") && reader.time(fraction: 6) && reader.zone() && reader.atEnd
        default: return false
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func literal(_ c: Character) -> Bool {
            guard index < bytes.count, bytes[index] == c.asciiValue else { return false }
            index += 1
            return true
        }

        /// Exactly `count` ASCII digits.
        mutating func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<(index + count)] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }

        mutating func date() -> Bool {
            guard let year = number(4), (1600...9999).contains(year), literal("-"),
                  let month = number(2), (1...12).contains(month), literal("-"),
                  let day = number(2), day >= 1 else { return false }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            return day <= days[month - 1]
        }

        mutating func hourMinute() -> Bool {
            guard let hour = number(2), hour <= 23, literal(":"), let minute = number(2), minute <= 59 else { return false }
            return true
        }

        mutating func time(fraction digits: Int) -> Bool {
            guard hourMinute(), literal(":"), let second = number(2), second <= 59 else { return false }
            if digits == 0 { return true }
            return literal(".") && number(digits) != nil
        }

        /// `Z`, or `+hh:mm` / `-hh:mm` (ISO 8601 extended, as `XXX` writes it).
        mutating func zone() -> Bool {
            if literal("Z") { return true }
            guard literal("+") || literal("-") else { return false }
            return hourMinute()
        }
    }
}

import Foundation
import Synchronization
import Testing
@testable import TreatyMatching
@testable import TreatyModel

/// Date checks per second from several threads at once: the matcher as it is against the design it
/// replaced (one formatter per format behind one process-wide lock). Run with
/// `TREATY_BENCHMARK=1 swift test --skip-build --filter DateTimeFormatsBenchmark`; it prints the numbers.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TREATY_BENCHMARK"] != nil))
struct DateTimeFormatsBenchmark {
    /// The former `DateTimeFormats.parses`, kept here as the baseline.
    final class LockedFormatters: Sendable {
        let cache = Mutex<[String: DateFormatter]>([:])
        func parses(_ text: String, format: String) -> Bool {
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
                    cache[format] = formatter
                }
                return formatter.date(from: text) != nil
            }
        }
        func matches(_ text: String, kind: DateTimeKind) -> Bool {
            DateTimeFormats.defaults(for: kind).contains { parses(text, format: $0) }
        }
    }

    /// Three mixes: texts in a default format (what providers mostly send), texts in none (a
    /// mismatch tries every default format), and a custom `format`.
    static let mixes: [(String, [(String, DateTimeKind, String?)])] = [
        ("default formats, matching", [("2026-06-30T23:59:59.123+02:00", .datetime, nil), ("2026-01-01T10:00:00Z", .datetime, nil),
                                       ("2024-02-29", .date, nil), ("10:15:00", .time, nil)]),
        ("default formats, not matching", [("yesterday", .datetime, nil), ("2026-06-30 23:59", .datetime, nil), ("2024-02-30", .date, nil)]),
        ("custom format", [("29.02.2024", .date, "dd.MM.yyyy"), ("30.02.2024", .date, "dd.MM.yyyy")]),
    ]

    /// Checks per second with `threads` threads doing `perThread` checks each.
    static func rate(threads: Int, perThread: Int, _ texts: [(String, DateTimeKind, String?)],
                     _ check: @escaping @Sendable (String, DateTimeKind, String?) -> Bool) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var accepted = 0
            for i in 0..<perThread {
                let (text, kind, format) = texts[i % texts.count]
                if check(text, kind, format) { accepted += 1 }
            }
            precondition(accepted >= 0)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(threads * perThread) / seconds
    }

    @Test func lockFreeAgainstTheGlobalLock() {
        let locked = LockedFormatters()
        for (name, texts) in Self.mixes {
            for threads in [1, 2, 4] {
                let count = name.hasSuffix(", matching") ? 200_000 : 5_000
                let before = Self.rate(threads: threads, perThread: count, texts) { text, kind, format in
                    format.map { locked.parses(text, format: $0) } ?? locked.matches(text, kind: kind)
                }
                let after = Self.rate(threads: threads, perThread: count, texts) { DateTimeFormats.matches($0, kind: $1, format: $2) }
                print("date checks, \(name), \(threads) thread(s): global lock \(Int(before))/s, now \(Int(after))/s (×\(String(format: "%.1f", after / before)))")
            }
        }
    }
}

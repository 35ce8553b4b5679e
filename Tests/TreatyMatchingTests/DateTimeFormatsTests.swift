import Foundation
import Testing
@testable import TreatyMatching
@testable import TreatyModel

/// Date/time checks without a shared lock: the hand-written reader of the default formats never
/// says yes where the strict `DateFormatter` says no, and the answers are the formatter's.
///
/// The checks are long and CPU-bound: the suite runs one test at a time, and the concurrent test
/// uses threads of its own, so Swift's cooperative pool (two threads here) stays free for the
/// suites whose timing assertions need it.
@Suite(.serialized) struct DateTimeFormatsTests {
    static let formats = DateTimeKind.allCases.flatMap(DateTimeFormats.defaults(for:))

    /// Texts near the default formats: well-formed, out of range, short, long, odd separators,
    /// other calendars' edge days, and mutations of each.
    static let samples: [String] = {
        let seeds = [
            "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "1600-02-29", "1582-10-10", "1500-02-29", "0001-01-01",
            "9999-12-31", "2024-13-01", "2024-00-10", "2024-04-31", "2024-4-3", "24-04-03", "+2024-04-03", "2024-04-03 ",
            "10:15:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "7:05:00", "10:15", "10:15:00.123", "10:15:00.1",
            "10:15:00.123456", "10:15:00,123",
            "2026-01-01T10:00:00Z", "2026-06-30T23:59:59.123+02:00", "2026-06-30T23:59:59.123456-07:30",
            "2026-06-30T23:59:59+0200", "2026-06-30T23:59:59+02", "2026-06-30T23:59:59+24:00", "2026-06-30T23:59:59+23:59",
            "2026-06-30T23:59:59z", "2026-06-30t23:59:59Z", "2026-06-30T23:59:59", "2026-06-30T23:59:59.123",
            "2026-06-30T23:59:59.12Z", "2026-06-30 23:59:59Z", "2026-06-30T23:59:59.123Z", "2026-06-30T23:59:59.1234567Z",
            "２０２４-02-29", "2024-02-29\n", "",
        ]
        var out = Set(seeds)
        for seed in seeds {
            let chars = Array(seed)
            for i in chars.indices {
                var dropped = chars
                dropped.remove(at: i)
                out.insert(String(dropped))
                for replacement in ["0", "9", "5", "-", ":", "T"] where String(chars[i]) != replacement {
                    var changed = chars
                    changed[i] = Character(replacement)
                    out.insert(String(changed))
                }
            }
        }
        return out.sorted()
    }()

    /// The formatter as the matcher made it before, for reference: one per format, used on one thread.
    static func reference(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        formatter.isLenient = false
        return formatter
    }

    @Test(arguments: formats)
    func theReaderAgreesWithTheStrictFormatter(format: String) {
        var fast = 0
        let reference = Self.reference(format)
        for text in Self.samples {
            let formatter = reference.date(from: text) != nil
            if ISODateText.accepts(text, format: format) {
                fast += 1
                #expect(formatter, "the reader accepts \"\(text)\" for \(format), the formatter does not")
            }
            #expect(DateTimeFormats.parses(text, format: format) == formatter, "\"\(text)\" for \(format)")
        }
        #expect(fast > 0, "the reader took no sample of \(format)")
    }

    @Test func threadsGetTheSameAnswersConcurrently() async {
        let cases = Self.samples.prefix(200).flatMap { text in Self.formats.map { (text, $0) } }
        let references = Dictionary(uniqueKeysWithValues: Self.formats.map { ($0, Self.reference($0)) })
        let expected = cases.map { references[$0.1]!.date(from: $0.0) != nil }
        let results = await withCheckedContinuation { (continuation: CheckedContinuation<[[Bool]], Never>) in
            let collected = NSLock(), group = DispatchGroup()
            nonisolated(unsafe) var all: [[Bool]] = []
            for _ in 0..<4 {
                group.enter()
                Thread {
                    let answers = cases.map { DateTimeFormats.parses($0.0, format: $0.1) }
                    collected.withLock { all.append(answers) }
                    group.leave()
                }.start()
            }
            group.notify(queue: .global()) { continuation.resume(returning: collected.withLock { all }) }
        }
        #expect(results.count == 4)
        for result in results { #expect(result == expected) }
    }

    @Test func customFormatsStillGoThroughTheFormatter() {
        #expect(DateTimeFormats.matches("29.02.2024", kind: .date, format: "dd.MM.yyyy"))
        #expect(!DateTimeFormats.matches("30.02.2024", kind: .date, format: "dd.MM.yyyy"))
        #expect(DateTimeFormats.matches("Thu, 01 Jan 2026 10:00:00 GMT", kind: .datetime, format: "EEE, dd MMM yyyy HH:mm:ss zzz"))
    }
}

#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOWebSocket
import TreatyMatching
import TreatyModel

/// The access log: one line per request (every one with --verbose, unmatched ones always).
extension MockHTTPHandler {
    func report(_ request: HTTPRequestData, _ answer: MockResponder.Answer) {
        let unmatched = answer.interaction == nil
        guard unmatched || configuration.verbose else { return }
        let target = request.path + (request.query.isEmpty ? "" : "?" + request.query)
        switch configuration.logFormat {
        case .json:
            var members: [(String, JSONNode)] = [
                ("time", .string(Self.timestamp())), ("method", .string(request.method)), ("target", .string(target)),
                ("status", .number(answer.status)), ("interaction", answer.interaction.map { .string($0) } ?? .null),
            ]
            if unmatched { members.append(("mismatches", .array(answer.mismatches.prefix(10).map(\.json)))) }
            log(JSONNode.object(members).rendered())
        case .text:
            if let name = answer.interaction {
                log("\(request.method) \(target) → \(answer.status) \"\(name)\"")
                return
            }
            var line = "unmatched \(request.method) \(target) → \(answer.status)"
            if let first = answer.mismatches.first {
                line += "; nearest mismatch \(first.description)"
                if answer.mismatches.count > 1 { line += " (+\(answer.mismatches.count - 1) more)" }
            }
            log(line)
        }
    }

    /// The journal's clock, as log lines show it: `2026-12-03T20:15:00.123Z`.
    static func timestamp() -> String {
        let now = MockJournal.now()
        var parts = tm()
        var seconds = time_t(now.rounded(.down))
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let millis = min(999, Int((now - now.rounded(.down)) * 1000))
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }
}

import TreatyMatching
import TreatyModel

/// The text of one exchange for `system-out` and verbose output: what was sent and what came back.
struct ExchangeLog {
    private(set) var text = ""
    /// Lower-case names of headers whose values are replaced by `***` (credentials).
    var masked: Set<String> = []

    mutating func line(_ s: String) { text += s + "\n" }

    mutating func append(_ other: String) { text += other }

    mutating func request(_ r: HTTPRequestData, url: String) {
        line("> \(r.method) \(url)")
        for (name, value) in r.headers { line("> \(name): " + (masked.contains(name.lowercased()) ? "*** (masked)" : value)) }
        if !r.body.isEmpty { line(">"); line(bodyPreview(r.body)) }
    }

    mutating func response(_ r: HTTPResponseData, seconds: Double) {
        line("< \(r.status) (\(Int(seconds * 1000)) ms)")
        for (name, value) in r.headers { line("< \(name): \(value)") }
        if !r.body.isEmpty { line("<"); line(bodyPreview(r.body)) }
    }

    func bodyPreview(_ body: [UInt8], limit: Int = 4096) -> String {
        if body.contains(0) || String(validating: body.prefix(limit), as: UTF8.self) == nil && body.count <= limit {
            return "(\(body.count) bytes of binary data that looks like \(ContentSniffer.mediaType(of: body)))"
        }
        let text = String(decoding: body.prefix(limit), as: UTF8.self)
        return body.count > limit ? text + "… (\(body.count) bytes in all)" : text
    }
}

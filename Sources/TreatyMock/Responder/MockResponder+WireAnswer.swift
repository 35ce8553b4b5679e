import NIOCore
import NIOHTTP1
import TreatyModel

extension MockResponder {
    /// An answer in NIO's types, written as it is by every response that sends it (ByteBuffer and
    /// HTTPHeaders are copy-on-write). Kept inline in its `Answer`, and with header lists shared
    /// between answers that have the same ones, so a request touches little memory.
    struct WireAnswer: Sendable {
        let status: HTTPResponseStatus
        let headers: HTTPHeaders
        let body: ByteBuffer
        /// The whole HTTP/1.1 keep-alive answer as bytes, and its head alone (for HEAD requests).
        let raw: ByteBuffer
        let rawHead: ByteBuffer

        init(status: Int, headers: [(name: String, value: String)], body: [UInt8], shared: inout [String: HTTPHeaders]) {
            self.status = HTTPResponseStatus(statusCode: status)
            var all = headers
            all.removeAll { $0.name.caseInsensitiveEquals("Content-Length") }
            all.append(("Content-Length", String(body.count)))
            let key = all.map { $0.name + "\u{0}" + $0.value }.joined(separator: "\u{1}")
            if let existing = shared[key] {
                self.headers = existing
            } else {
                let built = HTTPHeaders(all)
                shared[key] = built
                self.headers = built
            }
            self.body = ByteBuffer(bytes: body)
            var head = ByteBuffer()
            head.writeString("HTTP/1.1 \(status) \(self.status.reasonPhrase)\r\n")
            for (name, value) in all { head.writeString("\(name): \(value)\r\n") }
            head.writeString("\r\n")
            self.rawHead = head
            head.writeBytes(body)
            self.raw = head
        }
    }
}

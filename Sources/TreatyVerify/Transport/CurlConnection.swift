import CCurlShim
import Foundation
import TreatyMatching
import TreatyModel

#if canImport(Glibc)
import Glibc
#endif

/// A raw connection through libcurl (`CURLOPT_CONNECT_ONLY`): connect (TLS too, for https), then
/// `curl_easy_send` / `curl_easy_recv` with `poll` on the socket, bounded by deadlines. What the
/// WebSocket client and the raw TCP client speak over. Blocking: use it on a thread of its own.
final class CurlConnection {
    enum Received {
        case bytes(ArraySlice<UInt8>)
        case closed
        case timedOut
    }

    private let handle: UnsafeMutableRawPointer
    private var socket: curl_socket_t = -1
    let url: String
    /// What curl points at while the connection lives (header list, error buffer).
    private var transfer: CurlTransfer?
    private var chunk = [UInt8](repeating: 0, count: 16_384)

    init(url: String) throws(TransportError) {
        guard Curl.initialized, let handle = curl_easy_init() else {
            throw TransportError(kind: .other, message: "libcurl could not be initialised")
        }
        self.handle = handle
        self.url = url
    }

    deinit { curl_easy_cleanup(handle) }

    /// Connects to `target` (an http:// or https:// URL: host, port and TLS come from it).
    func connect(_ target: String, options: TransportOptions) throws(TransportError) {
        let transfer = CurlTransfer(url: target, limit: 0)
        self.transfer = transfer
        var options = options
        options.http2PriorKnowledge = false
        transfer.configure(handle, HTTPRequestData(method: "GET", target: "/"), options)
        treaty_curl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1)
        // Through a proxy, a raw connection is a CONNECT tunnel (the bytes are not HTTP).
        if options.proxy != nil { treaty_curl_setopt_long(handle, CURLOPT_HTTPPROXYTUNNEL, 1) }
        treaty_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        let code = curl_easy_perform(handle)
        if code != CURLE_OK, case .failure(let error) = transfer.result(handle, code) { throw error }
        treaty_curl_getinfo_socket(handle, CURLINFO_ACTIVESOCKET, &socket)
        guard socket >= 0 else { throw TransportError(kind: .other, message: "\(url): no socket after connecting") }
    }

    /// Sends all of `bytes`; false when the deadline passed first.
    func send(_ bytes: [UInt8], until deadline: DispatchTime) throws(TransportError) -> Bool {
        var offset = 0
        while offset < bytes.count {
            var sent = 0
            let code = bytes[offset...].withUnsafeBytes { curl_easy_send(handle, $0.baseAddress, $0.count, &sent) }
            if code == CURLE_AGAIN {
                guard wait(for: Int16(POLLOUT), until: deadline) else { return false }
                continue
            }
            guard code == CURLE_OK else { throw classify(code) }
            offset += sent
        }
        return true
    }

    /// What came next: bytes, the peer closing, or nothing before the deadline.
    func receive(until deadline: DispatchTime) throws(TransportError) -> Received {
        while true {
            var received = 0
            let code = chunk.withUnsafeMutableBytes { curl_easy_recv(handle, $0.baseAddress, $0.count, &received) }
            if code == CURLE_AGAIN {
                guard wait(for: Int16(POLLIN), until: deadline) else { return .timedOut }
                continue
            }
            guard code == CURLE_OK else { throw classify(code) }
            return received > 0 ? .bytes(chunk[..<received]) : .closed
        }
    }

    /// Waits (at most a second at a time) for the socket; false once the deadline passed.
    private func wait(for events: Int16, until deadline: DispatchTime) -> Bool {
        let left = Int(deadline.uptimeNanoseconds) - Int(DispatchTime.now().uptimeNanoseconds)
        guard left > 0 else { return false }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        _ = poll(&descriptor, 1, Int32(min(left / 1_000_000 + 1, 1000)))
        return true
    }

    private func classify(_ code: CURLcode) -> TransportError {
        CurlTransfer.classify(code, detail: String(cString: curl_easy_strerror(code)), tooLarge: false, url: url)
    }
}

import CCurlShim
import Foundation
import TreatyMatching
import TreatyModel

/// Sends one HTTP request with a libcurl easy handle and returns the full response.
///
/// Blocking: call it from a thread of its own (see `BlockingWork`), never from the cooperative pool.
final class CurlHTTPClient {
    struct Options: Sendable {
        var timeout: Double = 30
        var connectTimeout: Double = 10
        var maximumBodyBytes: Int = 64 << 20
        var http2PriorKnowledge = false
    }

    private let handle: UnsafeMutableRawPointer
    let options: Options

    init(options: Options = Options()) throws(TransportError) {
        guard Curl.initialized, let handle = curl_easy_init() else {
            throw TransportError(kind: .other, message: "libcurl could not be initialised")
        }
        self.handle = handle
        self.options = options
    }

    deinit { curl_easy_cleanup(handle) }

    /// Collects the response while curl runs; reached through the callbacks' user pointer.
    final class Collector {
        var status = 0
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        var tooLarge = false
        let limit: Int
        init(limit: Int) { self.limit = limit }
    }

    func send(_ request: HTTPRequestData, to url: String) throws(TransportError) -> HTTPResponseData {
        curl_easy_reset(handle)
        let collector = Collector(limit: options.maximumBodyBytes)
        let context = Unmanaged.passUnretained(collector).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }

        let code: CURLcode = url.withCString { urlPointer in
            request.method.withCString { methodPointer in
                request.body.withUnsafeBufferPointer { bodyPointer in
                    errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
                        treaty_curl_setopt_string(handle, CURLOPT_URL, urlPointer)
                        treaty_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
                        treaty_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(options.timeout * 1000))
                        treaty_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
                        treaty_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
                        if options.http2PriorKnowledge {
                            treaty_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE))
                            // libcurl 7.88 stalls or fails reusing an h2c prior-knowledge connection (seen against
                            // nghttpd too): one connection per exchange.
                            treaty_curl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1)
                            treaty_curl_setopt_long(handle, CURLOPT_FORBID_REUSE, 1)
                        }
                        treaty_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, nil)
                        treaty_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
                        treaty_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
                        treaty_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
                        treaty_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
                        treaty_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
                            let collector = Unmanaged<Collector>.fromOpaque(user!).takeUnretainedValue()
                            let n = size * count
                            if collector.body.count + n > collector.limit {
                                collector.tooLarge = true
                                return 0
                            }
                            if let data { collector.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n)) }
                            return n
                        }
                        treaty_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
                            let collector = Unmanaged<Collector>.fromOpaque(user!).takeUnretainedValue()
                            let n = size * count
                            guard let data else { return n }
                            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
                            CurlHTTPClient.collectHeaderLine(line, into: collector)
                            return n
                        }
                        switch request.method {
                        case "GET" where request.body.isEmpty:
                            treaty_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                        case "HEAD":
                            treaty_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
                        default:
                            treaty_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, methodPointer)
                            if !request.body.isEmpty || request.method != "GET" {
                                treaty_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                                treaty_curl_setopt_pointer(
                                    handle, CURLOPT_POSTFIELDS,
                                    UnsafeMutableRawPointer(mutating: bodyPointer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
                            }
                        }
                        return curl_easy_perform(handle)
                    }
                }
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw Self.classify(code, detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
                                tooLarge: collector.tooLarge, url: url)
        }
        var status = 0
        treaty_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponseData(status: status, headers: collector.headers, body: collector.body)
    }

    /// A status line starts a new header block (after 1xx or redirects); blank lines end one; later
    /// lines of the final block (trailers) are kept.
    static func collectHeaderLine(_ rawLine: String, into collector: Collector) {
        let line = rawLine.trimmingCharacters(in: .newlines)
        if line.hasPrefix("HTTP/") {
            collector.headers.removeAll()
            let parts = line.split(separator: " ")
            if parts.count > 1, let status = Int(parts[1]) { collector.status = status }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        collector.headers.append((name, value))
    }

    static func classify(_ code: CURLcode, detail: String, tooLarge: Bool, url: String) -> TransportError {
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT: kind = .connectionRefused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .nameResolution
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE:
            kind = .tls
        case CURLE_GOT_NOTHING: kind = .emptyResponse
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE: kind = .reset
        case CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_BAD_CONTENT_ENCODING: kind = .malformedResponse
        case CURLE_WRITE_ERROR where tooLarge: kind = .responseTooLarge
        case CURLE_UNSUPPORTED_PROTOCOL where url.hasPrefix("http://") || url.hasPrefix("https://"):
            kind = .malformedResponse  // curl says this of a status line that is not HTTP
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: kind = .invalidURL
        default: kind = .other
        }
        return TransportError(kind: kind, message: "\(url): \(detail)")
    }
}

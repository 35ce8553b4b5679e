import CCurlShim
import Foundation
import TreatyMatching
import TreatyModel

/// How the verifier's transfers reach the provider: timeouts, HTTP/2, TLS and proxy settings.
public struct TransportOptions: Sendable {
    /// Seconds one exchange may take, connection included.
    public var timeout: Double = 30
    public var connectTimeout: Double = 10
    public var maximumBodyBytes: Int = 64 << 20
    /// Speak HTTP/2 without negotiation (h2c prior knowledge) to `http://` providers.
    public var http2PriorKnowledge = false
    /// PEM file of the certificate authorities to trust (`--cacert`), instead of the system's.
    public var caFile: String?
    /// Client certificate and key (PEM) for providers that ask for one (`--cert`, `--key`).
    public var clientCertificate: String?
    public var clientKey: String?
    /// Skip certificate verification (`--insecure`), for self-signed test certificates.
    public var insecure = false
    /// An HTTP proxy, such as `http://proxy:3128` (`--proxy`).
    public var proxy: String?

    public init(timeout: Double = 30, connectTimeout: Double = 10, http2PriorKnowledge: Bool = false, caFile: String? = nil,
                clientCertificate: String? = nil, clientKey: String? = nil, insecure: Bool = false, proxy: String? = nil) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.http2PriorKnowledge = http2PriorKnowledge
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecure = insecure
        self.proxy = proxy
    }
}

/// One exchange on a libcurl easy handle: what curl needs to keep alive while it runs (header list,
/// error buffer, the response being collected), and the setup shared by the blocking client and the
/// multi engine. The handle's callbacks reach this object through the user pointer.
final class CurlTransfer {
    let url: String
    let limit: Int
    var status = 0
    var headers: [(name: String, value: String)] = []
    /// Lines after the final header block ended (HTTP/2 trailers).
    var trailers: [(name: String, value: String)] = []
    private var headerBlockEnded = false
    var body: [UInt8] = []
    let mode: TransferMode
    /// When each chunk of the body arrived (gRPC calls).
    var arrivals: [(end: Int, seconds: Double)] = []
    private let began = DispatchTime.now()
    var tooLarge = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(url: String, limit: Int, mode: TransferMode = .collect) {
        self.url = url
        self.limit = limit
        self.mode = mode
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Sets `handle` up to send `request` (after `curl_easy_reset`). Strings and the body are
    /// copied by curl, so nothing here needs to outlive the call but `self`.
    func configure(_ handle: UnsafeMutableRawPointer, _ request: HTTPRequestData, _ options: TransportOptions) {
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")
        let context = Unmanaged.passUnretained(self).toOpaque()
        treaty_curl_setopt_string(handle, CURLOPT_URL, url)
        treaty_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        treaty_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(options.timeout * 1000))
        treaty_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(min(options.connectTimeout, options.timeout) * 1000))
        treaty_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        if case .grpc = mode {
            let plain = url.lowercased().hasPrefix("http://")
            treaty_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(plain ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE : CURL_HTTP_VERSION_2TLS))
            if plain {
                treaty_curl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1)
                treaty_curl_setopt_long(handle, CURLOPT_FORBID_REUSE, 1)
            }
        } else if options.http2PriorKnowledge {
            treaty_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE))
            // libcurl 7.88 stalls or fails reusing an h2c prior-knowledge connection (seen against
            // nghttpd too): one connection per exchange.
            treaty_curl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1)
            treaty_curl_setopt_long(handle, CURLOPT_FORBID_REUSE, 1)
        }
        if let caFile = options.caFile { treaty_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if let certificate = options.clientCertificate { treaty_curl_setopt_string(handle, CURLOPT_SSLCERT, certificate) }
        if let key = options.clientKey { treaty_curl_setopt_string(handle, CURLOPT_SSLKEY, key) }
        if options.insecure {
            treaty_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            treaty_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        // An explicit proxy, or none at all: the environment's http_proxy must not reroute loopback tests.
        treaty_curl_setopt_string(handle, CURLOPT_PROXY, options.proxy ?? "")
        treaty_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, nil)
        treaty_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        treaty_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        treaty_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        treaty_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        treaty_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            if case .stream(let sink) = transfer.mode {
                guard let data else { return n }
                return sink.received(UnsafeRawBufferPointer(start: data, count: n)) ? n : 0  // 0 stops the transfer
            }
            if transfer.body.count + n > transfer.limit {
                transfer.tooLarge = true
                return 0
            }
            if let data { transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n)) }
            if case .grpc = transfer.mode {
                transfer.arrivals.append((transfer.body.count, Double(DispatchTime.now().uptimeNanoseconds - transfer.began.uptimeNanoseconds) / 1e9))
            }
            return n
        }
        treaty_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            guard let data else { return n }
            transfer.collectHeaderLine(String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self))
            return n
        }
        switch request.method {
        case "GET" where request.body.isEmpty:
            treaty_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            treaty_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        default:
            treaty_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
            if !request.body.isEmpty || request.method != "GET" {
                treaty_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                request.body.withUnsafeBufferPointer { bytes in
                    // COPYPOSTFIELDS copies the body, so it need not outlive this call; an empty body needs a valid pointer.
                    let pointer = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                    treaty_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, pointer)
                }
            }
        }
    }

    /// The response, or the classified error, once curl finished with `code`.
    func result(_ handle: UnsafeMutableRawPointer, _ code: CURLcode) -> Result<HTTPResponseData, TransportError> {
        // A stream that answered is judged by what came, however it ended.
        if case .stream(let sink) = mode, status > 0 {
            switch code {
            case CURLE_OK: sink.endReason = "the stream ended"
            case CURLE_WRITE_ERROR where sink.satisfied: sink.endReason = "stopped"
            case CURLE_WRITE_ERROR where sink.overLimit:
                sink.endReason = "stopped reading after \(sink.limit) bytes without the expected events"
            case CURLE_OPERATION_TIMEDOUT: sink.endReason = "no more came within --timeout"
            case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR: sink.endReason = "the connection broke"
            default: sink.endReason = nil
            }
            if sink.endReason != nil { return .success(HTTPResponseData(status: status, headers: headers, body: [])) }
        }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            return .failure(Self.classify(code, detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
                                          tooLarge: tooLarge, url: url))
        }
        var status = 0
        treaty_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var response = HTTPResponseData(status: status, headers: headers, body: body)
        response.trailers = trailers
        response.arrivals = arrivals
        return .success(response)
    }

    /// A status line starts a new header block (after 1xx or redirects); blank lines end one; later
    /// lines of the final block (trailers) are kept.
    func collectHeaderLine(_ rawLine: String) {
        let line = rawLine.trimmingCharacters(in: .newlines)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            trailers.removeAll()
            headerBlockEnded = false
            let parts = line.split(separator: " ")
            if parts.count > 1, let code = Int(parts[1]) { status = code }
            return
        }
        if line.isEmpty {
            headerBlockEnded = true
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if headerBlockEnded { trailers.append((name, value)) } else { headers.append((name, value)) }
    }

    static func classify(_ code: CURLcode, detail: String, tooLarge: Bool, url: String) -> TransportError {
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT: kind = .connectionRefused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .nameResolution
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
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

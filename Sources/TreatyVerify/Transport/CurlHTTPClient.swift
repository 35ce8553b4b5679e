import CCurlShim
import Foundation
import TreatyMatching
import TreatyModel

/// Sends one HTTP request with a libcurl easy handle and returns the full response.
///
/// Blocking: call it from a thread of its own (see `BlockingWork`), never from the cooperative pool.
/// The verifier itself runs many exchanges at once through `CurlMulti`; this is for one-off calls.
final class CurlHTTPClient {
    private let handle: UnsafeMutableRawPointer
    let options: TransportOptions

    init(options: TransportOptions = TransportOptions()) throws(TransportError) {
        guard Curl.initialized, let handle = curl_easy_init() else {
            throw TransportError(kind: .other, message: "libcurl could not be initialised")
        }
        self.handle = handle
        self.options = options
    }

    deinit { curl_easy_cleanup(handle) }

    func send(_ request: HTTPRequestData, to url: String) throws(TransportError) -> HTTPResponseData {
        curl_easy_reset(handle)
        let transfer = CurlTransfer(url: url, limit: options.maximumBodyBytes)
        transfer.configure(handle, request, options)
        let code = curl_easy_perform(handle)
        return try transfer.result(handle, code).get()
    }
}

import CCurlShim
import TreatyModel

/// Process-wide libcurl initialisation, done once before the first handle.
enum Curl {
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    /// The libcurl version string, for `treaty --version` and reports.
    static var version: String {
        guard let info = curl_version_info(CURLVERSION_TENTH), let v = info.pointee.version else { return "unknown" }
        return String(cString: v)
    }
}

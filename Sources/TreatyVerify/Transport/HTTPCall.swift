import TreatyMatching

/// One HTTP exchange with libcurl, off the cooperative pool: for commands that talk to a running
/// mock's admin API (`treaty publish`).
public enum HTTPCall {
    public static func send(_ request: HTTPRequestData, to url: String, timeout: Double = 10) async -> Result<HTTPResponseData, TransportError> {
        await BlockingWork.run { () throws(TransportError) -> HTTPResponseData in
            try CurlHTTPClient(options: TransportOptions(timeout: timeout, connectTimeout: min(5, timeout))).send(request, to: url)
        }
    }
}

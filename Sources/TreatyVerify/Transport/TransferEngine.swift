import TreatyMatching

/// What an interaction run needs of the transport: start a transfer whose completion comes back
/// on the run's own thread. `CurlMulti` is the one a verification uses; tests drive an
/// `InteractionRun` with a fake that answers at once.
protocol TransferEngine: AnyObject {
    func start(_ request: HTTPRequestData, to url: String, mode: TransferMode, completion: @escaping CurlMulti.Completion)
}

extension TransferEngine {
    /// A transfer that collects the whole answer.
    func start(_ request: HTTPRequestData, to url: String, completion: @escaping CurlMulti.Completion) {
        start(request, to: url, mode: .collect, completion: completion)
    }
}

extension CurlMulti: TransferEngine {}

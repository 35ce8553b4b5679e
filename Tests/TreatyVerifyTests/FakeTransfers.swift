import TreatyMatching
@testable import TreatyVerify

/// A `TransferEngine` that answers each transfer at once, from `answer`, and records what was
/// started: enough to run an `InteractionRun` without a socket.
final class FakeTransfers: TransferEngine {
    struct Started {
        var request: HTTPRequestData
        var url: String
        var mode: String
    }

    private(set) var started: [Started] = []
    let answer: (HTTPRequestData, String) -> Result<HTTPResponseData, TransportError>

    init(answer: @escaping (HTTPRequestData, String) -> Result<HTTPResponseData, TransportError>) {
        self.answer = answer
    }

    func start(_ request: HTTPRequestData, to url: String, mode: TransferMode, completion: @escaping CurlMulti.Completion) {
        let name = switch mode {
        case .collect: "collect"
        case .stream: "stream"
        case .grpc: "grpc"
        }
        started.append(Started(request: request, url: url, mode: name))
        completion(answer(request, url), 0.001)
    }
}

import TreatyMatching
import TreatyModel

/// A `grpc` interaction: one HTTP/2 transfer (`TransferMode.grpc`) of the framed request messages,
/// built and judged by `GRPCExchange` (`GRPCJudgement.swift`).
extension InteractionRun {
    func grpcExchange(_ call: GRPCInteraction) {
        // The loader refuses grpc interactions in a contract without "protobuf".
        guard let protobuf else { return complete() }
        let transcoder = ProtoJSON(pool: protobuf.pool)
        let request: HTTPRequestData
        switch GRPCExchange.request(call, extraHeaders: options.extraHeaders, timeout: options.transport.timeout,
                                    generator: generator(for: HTTPRequestData(method: "POST", target: call.path)), transcoder: transcoder) {
        case .success(let built): request = built
        case .failure(let error): return conclude(.failed(.preparation(error)))
        }
        let target = RequestBuilder.url(base: baseURL, request: request)
        log.line("> \(call.callKind) call \(call.path): \(call.requests.count) message(s)")
        for (i, message) in call.requests.enumerated() { log.line("> message \(i + 1): " + String(message.pattern.example.rendered().prefix(500))) }
        log.request(request, url: target)
        expectCallbacks(for: request)
        multi.start(request, to: target, mode: .grpc) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.line("< \(response.status) (\(Int(seconds * 1000)) ms)")
                for (name, value) in response.headers { log.line("< \(name): \(value)") }
                for (name, value) in response.trailers { log.line("< (trailer) \(name): \(value)") }
                let judgement = GRPCExchange.judge(response, call, transcoder: transcoder)
                for line in judgement.log { log.line(line) }
                if let error = judgement.error { return conclude(.failed(error)) }
                conclude(.judged(judgement.mismatches))
            case .failure(let error):
                conclude(.failed(.grpcTransport(error)))
            }
        }
    }
}

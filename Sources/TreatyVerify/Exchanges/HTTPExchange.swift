import TreatyMatching
import TreatyModel

/// An `http` interaction: the request, then each response of a sequence in order (one call each),
/// judged by `ResponseMatcher`; the first mismatch or error stops the sequence.
extension InteractionRun {
    func httpExchange(_ http: HTTPInteraction) {
        guard let (request, url) = buildRequest(http.request) else { return }
        call(http, 0, request, url)
    }

    private func call(_ http: HTTPInteraction, _ index: Int, _ request: HTTPRequestData, _ url: String) {
        // A response sequence is verified call by call, in order.
        let expected = http.sequence?.responses ?? [http.response]
        guard index < expected.count else { return conclude(.judged([])) }
        if expected.count > 1 { log.line("# call \(index + 1) of \(expected.count)") }
        log.request(request, url: url)
        if index == 0 { expectCallbacks(for: request) }
        multi.start(request, to: url) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.response(response, seconds: seconds)
                var mismatches = ResponseMatcher.match(response, expected[index])
                let diff = mismatches.contains(where: { $0.path.hasPrefix("$.body") })
                    ? Verifier.bodyDiff(expected: expected[index].body, actual: response.body) : nil
                if expected.count > 1 {
                    mismatches = mismatches.map { m in
                        var m = m
                        m.message = "call \(index + 1) of \(expected.count): " + m.message
                        return m
                    }
                }
                guard mismatches.isEmpty else { return conclude(.judged(mismatches, bodyDiff: diff)) }
                call(http, index + 1, request, url)
            case .failure(let error):
                conclude(.failed(.transport(error)))
            }
        }
    }
}

import Foundation
import TreatyMatching
import TreatyModel

/// A `longPoll` interaction: the provider must hold the request (for its time, or until the
/// awaited call, which the verifier makes itself) and then answer; a trigger nothing can fire on a
/// real provider must end in the timeout answer after about the timeout.
extension InteractionRun {
    /// When a long poll waits for another interaction, the verifier makes that call itself, this
    /// long after sending the long poll.
    static let releaseCallDelay = 0.3

    func longPollExchange(_ poll: LongPollInteraction) {
        guard let (request, url) = buildRequest(poll.request) else { return }
        let expected: HTTPResponseSpec
        var minimumHold = 0
        switch poll.hold {
        case .duration(let ms):
            expected = poll.response
            minimumHold = ms
        case .trigger(let name):
            expected = poll.timeoutResponse
            minimumHold = poll.timeoutMilliseconds
            log.line("# trigger \"\(name)\" cannot be fired on a real provider: expecting the timeout answer after \(poll.timeoutMilliseconds) ms")
        case .call(let name):
            expected = poll.response
            guard let other = interactionNamed(name), let spec = other.kind.openingRequest else {
                return conclude(.failed(.awaitedCallUnknown(name)))
            }
            let call = RequestBuilder.build(spec, extraHeaders: options.extraHeaders,
                                            generator: generator(for: HTTPRequestData(method: spec.method, target: "/")))
            releaseCall = (.now() + .milliseconds(Int(Self.releaseCallDelay * 1000)), call, RequestBuilder.url(base: baseURL, request: call), name)
        }
        log.request(request, url: url)
        multi.start(request, to: url) { [self] result, seconds in
            let pending = releaseCall
            releaseCall = nil
            switch result {
            case .success(let response):
                log.response(response, seconds: seconds)
                var mismatches = ResponseMatcher.match(response, expected)
                let held = Int(seconds * 1000)
                if Double(held) < Double(minimumHold) * 0.8 {
                    mismatches.append(Mismatch(path: "$.hold", expected: "held about \(minimumHold) ms", actual: "answered after \(held) ms",
                                               rule: "timing", message: "expected the request held about \(minimumHold) ms, answered after \(held) ms"))
                }
                if let pending {
                    mismatches.append(Mismatch(path: "$.hold", expected: "answered after \"\(pending.name)\" is called",
                                               actual: "answered after \(held) ms, before it was called", rule: "timing",
                                               message: "expected the request held until \"\(pending.name)\" is called; it was answered after \(held) ms, before"))
                }
                conclude(.judged(mismatches))
            case .failure(let error):
                conclude(.failed(.transport(error)))
            }
        }
    }

    /// Makes the call a long poll waits for once its time came (called from `tick`); its answer is
    /// only logged.
    func makeReleaseCallIfDue() {
        guard let pending = releaseCall, DispatchTime.now() >= pending.at else { return }
        releaseCall = nil
        log.line("# calling \"\(pending.name)\" to release the long poll")
        log.request(pending.request, url: pending.url)
        multi.start(pending.request, to: pending.url) { [self] result, seconds in
            switch result {
            case .success(let response): log.line("# \"\(pending.name)\" answered \(response.status) (\(Int(seconds * 1000)) ms)")
            case .failure(let error): log.line("# \"\(pending.name)\" failed: \(error.message)")
            }
        }
    }
}

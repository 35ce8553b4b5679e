import Foundation
import TreatyMatching
import TreatyModel
import TreatyReport

/// A callback the interaction must make, where it must arrive, and what arrived.
struct ExpectedCallback {
    var callback: Callback
    /// Where it must arrive: the receiver's path the URL pattern gives for this request.
    var path: String
    var arrived: HTTPRequestData?
}

/// Callbacks: after a passing exchange, the run polls the `CallbackReceiver` on every tick until
/// every expected callback arrived or the deadline passed, then judges them with `RequestMatcher`.
extension InteractionRun {
    var isWaitingForCallbacks: Bool { callbackDeadline != nil }

    /// Works out where the interaction's callbacks must arrive for `request` (their URL patterns
    /// may use the request's values); nothing without a receiver or callbacks.
    func expectCallbacks(for request: HTTPRequestData) {
        guard let receiver, !interaction.callbacks.isEmpty else { return }
        let generator = self.generator(for: request)
        expectedCallbacks = interaction.callbacks.map { callback in
            let node = generator.render(callback.url)
            let target = node.stringValue ?? node.rendered()
            let path = target.hasPrefix(receiver.url) ? String(target.dropFirst(receiver.url.count)) : target
            return ExpectedCallback(callback: callback, path: HTTPRequestData(method: "GET", target: path.isEmpty ? "/" : path).path)
        }
    }

    /// Starts waiting for the expected callbacks, or goes to the teardowns when none are expected.
    func awaitCallbacks() {
        guard !expectedCallbacks.isEmpty else { return tearDown() }
        let longest = expectedCallbacks.map(\.callback.delayMilliseconds).max() ?? 0
        callbackDeadline = .now() + .milliseconds(longest + Int(options.callbackTimeout * 1000))
        log.line("# waiting for \(expectedCallbacks.count) callback(s) at \(receiver?.url ?? "")")
        pollCallbacks()
    }

    /// Checks the receiver for the callbacks; ends the interaction when all came or time ran out.
    func pollCallbacks() {
        guard let deadline = callbackDeadline, let receiver else { return }
        for i in expectedCallbacks.indices where expectedCallbacks[i].arrived == nil {
            expectedCallbacks[i].arrived = receiver.take(path: expectedCallbacks[i].path)
        }
        let missing = expectedCallbacks.filter { $0.arrived == nil }
        if !missing.isEmpty && DispatchTime.now() < deadline { return }
        callbackDeadline = nil
        var mismatches: [Mismatch] = []
        for expected in expectedCallbacks {
            let name = expected.callback.name
            guard let arrived = expected.arrived else {
                let waited = decimalSeconds(Double(expected.callback.delayMilliseconds) / 1000 + options.callbackTimeout)
                mismatches.append(Mismatch(path: "$.callbacks[\(name)]", expected: "\(expected.callback.method) \(receiver.url)\(expected.path)",
                                           actual: "nothing", rule: "callback",
                                           message: "callback \"\(name)\" did not arrive at \(receiver.url)\(expected.path) within \(waited) s"))
                continue
            }
            log.line("# callback \"\(name)\" arrived: \(arrived.method) \(arrived.path)")
            log.request(arrived, url: receiver.url + arrived.path)
            let spec = HTTPRequestSpec(method: expected.callback.method, path: .string(expected.path), query: [],
                                       headers: expected.callback.headers, body: expected.callback.body)
            var withoutQuery = arrived
            withoutQuery.query = ""  // the query belongs to the URL the verifier handed out
            for var mismatch in RequestMatcher.match(withoutQuery, spec) {
                mismatch.message = "callback \"\(name)\": " + mismatch.message
                mismatch.path = "$.callbacks[\(name)]" + mismatch.path.dropFirst()
                mismatches.append(mismatch)
            }
        }
        if !mismatches.isEmpty { outcome = .failed(mismatches) }
        tearDown()
    }
}

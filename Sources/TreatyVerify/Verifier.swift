import Foundation
import TreatyMatching
import TreatyModel
import TreatyReport

/// Replays a contract's interactions against a real provider with libcurl and judges each
/// response with the same matching engine as the mock.
public struct Verifier: Sendable {
    public let options: VerifyOptions

    public init(options: VerifyOptions) {
        self.options = options
    }

    /// Verifies every interaction of `contract`, in contract order.
    public func verify(_ contract: Contract, progress: @escaping @Sendable (CaseResult) -> Void = { _ in }) async -> SuiteResult {
        let options = self.options
        let cases: [CaseResult] = await BlockingWork.run {
            let client: CurlHTTPClient
            do throws(TransportError) {
                client = try CurlHTTPClient(options: .init(timeout: options.timeout, connectTimeout: min(10, options.timeout),
                                                           http2PriorKnowledge: options.http2PriorKnowledge))
            } catch {
                return contract.interactions.map { CaseResult(name: $0.name, kind: $0.kindName, duration: 0,
                                                              outcome: .error(kind: "transport", message: error.message)) }
            }
            return contract.interactions.map { interaction in
                let result = Self.verify(interaction, client: client, options: options)
                progress(result)
                return result
            }
        }
        return SuiteResult(file: contract.file, consumer: contract.consumer, provider: contract.provider,
                           properties: [("treaty.format", String(contract.formatVersion)), ("base-url", options.baseURL)],
                           cases: cases)
    }

    static func verify(_ interaction: Interaction, client: CurlHTTPClient, options: VerifyOptions) -> CaseResult {
        let start = DispatchTime.now()
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
        var log = ExchangeLog()
        guard let http = interaction.http else {
            return CaseResult(name: interaction.name, kind: interaction.kindName, duration: 0,
                              outcome: .skipped(reason: "kind \(interaction.kindName) is not verified yet"))
        }

        let states = StateChanger(url: options.stateURL, client: client)
        if let failure = states.setUp(interaction.states, log: &log) {
            states.tearDown(interaction.states, log: &log)
            return CaseResult(name: interaction.name, duration: elapsed(), outcome: .error(kind: "state-setup", message: failure),
                              log: log.text)
        }
        let request = RequestBuilder.build(http.request, extraHeaders: options.extraHeaders)
        let url = RequestBuilder.url(base: options.baseURL, request: request)
        // A response sequence is verified call by call, in order.
        let expected = http.sequence?.responses ?? [http.response]
        var outcome: CaseResult.Outcome = .passed
        var bodyDiff: String?
        for (call, spec) in expected.enumerated() {
            if expected.count > 1 { log.line("# call \(call + 1) of \(expected.count)") }
            log.request(request, url: url)
            do {
                let sent = DispatchTime.now()
                let response = try client.send(request, to: url)
                log.response(response, seconds: Double(DispatchTime.now().uptimeNanoseconds - sent.uptimeNanoseconds) / 1e9)
                var mismatches = ResponseMatcher.match(response, spec)
                if mismatches.contains(where: { $0.path.hasPrefix("$.body") }) {
                    bodyDiff = Self.bodyDiff(expected: spec.body, actual: response.body)
                }
                if expected.count > 1 {
                    mismatches = mismatches.map { m in
                        var m = m
                        m.message = "call \(call + 1) of \(expected.count): " + m.message
                        return m
                    }
                }
                if !mismatches.isEmpty {
                    outcome = .failed(mismatches)
                    break
                }
            } catch {
                log.line("! \(error.kind.rawValue): \(error.message)")
                outcome = .error(kind: error.kind.rawValue, message: "\(error.message). \(error.advice)")
                break
            }
        }
        states.tearDown(interaction.states, log: &log)
        return CaseResult(name: interaction.name, duration: elapsed(), outcome: outcome, log: log.text, bodyDiff: bodyDiff)
    }

    /// `actual` with object keys in the order the example writes them (extra keys last), so the
    /// diff shows differences, not reordering.
    static func aligned(_ actual: JSONNode, to example: JSONNode) -> JSONNode {
        switch (actual.value, example.value) {
        case (.object(let a), .object(let e)):
            var members: [JSONObject.Member] = []
            for key in e.keys { if let m = a.member(key) { members.append(JSONObject.Member(key: key, value: aligned(m.value, to: e[key]!))) } }
            let known = Set(e.keys)
            members += a.members.filter { !known.contains($0.key) }
            return JSONNode(.object(JSONObject(members)))
        case (.array(let a), .array(let e)) where !e.isEmpty:
            return .array(a.enumerated().map { aligned($0.element, to: e[min($0.offset, e.count - 1)]) })
        default:
            return actual
        }
    }

    /// Pretty JSON (or text) of the contract's example against the actual body.
    static func bodyDiff(expected: BodySpec?, actual: [UInt8]) -> String? {
        guard let expected else { return nil }
        let expectedText: String
        var actualText = String(decoding: actual.prefix(64 << 10), as: UTF8.self)
        switch expected {
        case .json(let p):
            expectedText = p.example.rendered(pretty: true)
            if let node = try? JSONParser.parse(actual).root { actualText = aligned(node, to: p.example).rendered(pretty: true) }
        default:
            expectedText = String(decoding: expected.exampleBytes, as: UTF8.self)
        }
        let diff = TextDiff.unified(expected: expectedText, actual: actualText)
        return diff.isEmpty ? nil : diff
    }
}

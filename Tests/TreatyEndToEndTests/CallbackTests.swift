import Foundation
import Testing
import TreatyMatching
import TreatyModel
@testable import TreatyMock
@testable import TreatyVerify

/// Callbacks (webhooks) end to end: one mock answers a payment and calls back a second mock, which
/// plays the consumer's webhook receiver and checks what arrives against its own contract.
@Suite struct CallbackTests {
    static let receiver = """
    {"treaty": 1, "consumer": "payments", "provider": "web-shop", "interactions": [
      {"name": "payment event", "http": {
        "request": {"method": "POST", "path": "/payment-events",
                    "headers": {"Content-Type": "application/json"},
                    "body": {"event": "payment.settled", "orderId": 77, "amount": 19.99}},
        "response": {"status": 204}}}]}
    """

    func load(_ text: String) throws -> Contract {
        let result = ContractLoader().load(Array(text.utf8), file: "receiver.json")
        return try #require(result.contract, "\(result.diagnostics)")
    }

    func post(_ url: String, _ json: String) async throws -> HTTPResponseData {
        try await BlockingWork.run {
            try CurlHTTPClient().send(HTTPRequestData(method: "POST", target: "/payments", headers: [("Content-Type", "application/json")],
                                                      body: Array(json.utf8)), to: url + "/payments")
        }.get()
    }

    @Test func aCallbackCarriesValuesFromTheTriggeringRequestAndMatchesTheReceiversContract() async throws {
        let payments = try #require(try loadContracts("Contracts/web-shop--payments.json").first)
        let receiver = try load(Self.receiver)
        try await MockServer.withMockRuntime([MockBinding(responder: MockResponder(contract: receiver), port: 0)]) { hooks in
            try await MockServer.withMockRuntime([MockBinding(responder: MockResponder(contract: payments), port: 0)]) { mock in
                let answer = try await post(mock.contracts[0].url, """
                    {"orderId": 77, "amount": 19.99, "callbackUrl": "\(hooks.contracts[0].url)/payment-events"}
                    """)
                #expect(answer.status == 202)
                #expect(await mock.callbacks.settle(seconds: 10))
                let delivery = try #require(mock.callbacks.deliveries().first)
                #expect(delivery.outcome == .delivered, "\(delivery)")
                #expect(delivery.status == 204)
                #expect(delivery.callback == "payment settled" && delivery.interaction == "start a payment")
                // The receiver matched it: every field came from the triggering request.
                let entries = hooks.journal.entries()
                #expect(entries.map(\.interaction) == ["payment event"], "\(entries.map(\.mismatches))")
            }
        }
    }

    @Test func undeliverableAndRejectedCallbacksAreRecordedAndLogged() async throws {
        let payments = try #require(try loadContracts("Contracts/web-shop--payments.json").first)
        let receiver = try load(Self.receiver)
        let lines = LogLines()
        // A port nothing listens on: bind one, then close it.
        let closed = try await MockServer.withMockRuntime([MockBinding(responder: MockResponder(contract: receiver), port: 0)]) {
            $0.contracts[0].port
        }
        try await MockServer.withMockRuntime([MockBinding(responder: MockResponder(contract: receiver), port: 0)]) { hooks in
            try await MockServer.withMockRuntime([MockBinding(responder: MockResponder(contract: payments), port: 0)],
                                                 log: { lines.append($0) }) { mock in
                _ = try await post(mock.contracts[0].url, #"{"orderId": 1, "amount": 2.5, "callbackUrl": "http://127.0.0.1:\#(closed)/x"}"#)
                // The receiver's contract expects other values: it answers 404, the callback is "rejected".
                _ = try await post(mock.contracts[0].url, #"{"orderId": 2, "amount": 2.5, "callbackUrl": "\#(hooks.contracts[0].url)/payment-events"}"#)
                _ = try await post(mock.contracts[0].url, #"{"orderId": 3, "amount": 2.5, "callbackUrl": "http://not a url/x"}"#)
                #expect(await mock.callbacks.settle(seconds: 10))
                let outcomes = mock.callbacks.deliveries().map(\.outcome)
                #expect(outcomes == [.failed, .rejected, .failed])
                #expect(mock.callbacks.counts()[.failed] == 2)
                let errors = mock.callbacks.deliveries().compactMap(\.error)
                #expect(errors.first?.hasPrefix("cannot connect to 127.0.0.1:\(closed)") == true, "\(errors)")
                #expect(errors.last == "\"http://not a url/x\" is not an absolute http:// or https:// URL")
            }
        }
        #expect(lines.all.filter { $0.contains("not delivered") }.count == 2)
        #expect(lines.all.contains { $0.contains("answered 404") })
    }

    @Test func callbacksAreLoadedWithLocatedErrors() throws {
        let text = """
        {"treaty": 1, "consumer": "a", "provider": "b", "interactions": [
          {"name": "x", "http": {"request": {"path": "/x"}, "response": {}},
           "callbacks": [{"after": "soon", "request": {"url": "/relative", "method": "P O"}}]}]}
        """
        let result = ContractLoader().load(Array(text.utf8), file: "c.json")
        let messages = result.diagnostics.map(\.description)
        #expect(result.contract == nil)
        #expect(messages.contains { $0.hasPrefix("c.json:3:28: error: \"after\" is a duration") })
        #expect(messages.contains { $0.contains("a callback \"url\" is an absolute http:// or https:// URL, found \"/relative\"")
            && $0.hasSuffix("[at /interactions/0/callbacks/0/request/url]") })
        #expect(messages.contains { $0.contains("\"P O\" is not an HTTP method") })
    }

    @Test func aSelfSignedCertificateCoversLoopbackAndTheBoundHost() throws {
        let settings = try TLSSettings.selfSigned(names: ["mock.test", "10.1.2.3"])
        #expect(settings.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("treaty-test-\(UUID().uuidString).pem")
        try Data(settings.certificatePEM.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        // Its own certificate is no private key: loading them as a pair fails with a clear message.
        #expect {
            try TLSSettings.load(certificateFile: file.path, keyFile: file.path)
        } throws: { error in
            (error as? TreatyError)?.message == "cannot read the TLS private key \(file.path)"
        }
    }
}

import Foundation
import Testing
import TreatyMatching
import TreatyModel
import TreatyReport
@testable import TreatyMock
@testable import TreatyVerify

/// The mock's delays and faults, observed by the verifier: each fault becomes its classified error.
@Suite struct FaultTests {
    static let contract: Contract = {
        let text = """
            {"treaty": 1, "consumer": "c", "provider": "p", "interactions": [
              {"name": "slow", "mock": {"delay": "300ms"}, "http": {"request": {"path": "/slow"}, "response": {"body": {"ok": true}}}},
              {"name": "jitter", "mock": {"delay": {"min": "10ms", "max": "40ms"}}, "http": {"request": {"path": "/jitter"}, "response": {"status": 204}}},
              {"name": "reset", "mock": {"fault": "reset"}, "http": {"request": {"path": "/reset"}, "response": {"body": {"ok": true}}}},
              {"name": "empty", "mock": {"fault": "empty"}, "http": {"request": {"path": "/empty"}, "response": {"body": {"ok": true}}}},
              {"name": "malformed", "mock": {"fault": "malformed"}, "http": {"request": {"path": "/malformed"}, "response": {"body": {"ok": true}}}},
              {"name": "truncate", "mock": {"fault": "truncate"}, "http": {"request": {"path": "/truncate"}, "response": {"body": {"text": "0123456789012345678901234567890123456789"}}}},
              {"name": "trickle", "mock": {"fault": {"trickle": {"bytes": 4, "every": "20ms"}}}, "http": {"request": {"path": "/trickle"}, "response": {"body": {"ok": true}}}}
            ]}
            """
        return ContractLoader().load(Array(text.utf8), file: "faults.json").contract!
    }()

    func verify(timeout: Double = 5) async throws -> [String: CaseResult] {
        let suite = try await MockServer.withMockServer([MockBinding(responder: MockResponder(contract: Self.contract), port: 0)]) { served in
            await Verifier(options: VerifyOptions(baseURL: served[0].url, timeout: timeout)).verify(Self.contract)
        }
        return Dictionary(uniqueKeysWithValues: suite.cases.map { ($0.name, $0) })
    }

    @Test func faultsBecomeClassifiedErrorsAndDelaysAreHonoured() async throws {
        let results = try await verify()
        func kind(_ name: String) -> String? {
            if case .error(let kind, _)? = results[name]?.outcome { return kind }
            return nil
        }
        #expect(results["slow"]?.passed == true)
        #expect((results["slow"]?.duration ?? 0) >= 0.3)
        #expect(results["jitter"]?.passed == true)
        #expect(results["trickle"]?.passed == true)
        #expect(kind("reset") == "connection-reset")
        #expect(kind("empty") == "empty-response")
        #expect(kind("malformed") == "malformed-response")
        #expect(kind("truncate") == "connection-reset")
    }

    @Test func aTrickleSlowerThanTheTimeoutIsATimeout() async throws {
        let results = try await verify(timeout: 0.2)
        guard case .error(let kind, let message)? = results["trickle"]?.outcome else { Issue.record("expected an error"); return }
        #expect(kind == "timeout")
        #expect(message.contains("did not answer in time"))
    }

    @Test(arguments: [
        (#"{"delay": "soon"}"#, "a duration is written like"),
        (#"{"delay": {"min": "2s", "max": "1s"}}"#, "larger than \"max\""),
        (#"{"fault": "explode"}"#, "\"fault\" is one of"),
        (#"{"dealy": "1s"}"#, "did you mean \"delay\""),
    ])
    func badSettingsAreLocatedDiagnostics(settings: String, fragment: String) {
        let text = #"{"treaty": 1, "consumer": "c", "provider": "p", "interactions": [{"name": "x", "mock": "# + settings
            + #", "http": {"request": {"path": "/"}, "response": {}}}]}"#
        let result = ContractLoader().load(Array(text.utf8), file: "x.json")
        #expect(result.diagnostics.contains { $0.message.contains(fragment) && $0.position != nil }, "\(result.diagnostics)")
    }
}

import Foundation
import Testing
import TreatyMatching
import TreatyModel
import TreatyReport
import TreatyTestSupport
@testable import TreatyMock
@testable import TreatyVerify

@Suite struct StatefulMockTests {
    func responder(_ state: MockState = MockState()) throws -> MockResponder {
        let contract = try #require(try loadContracts("Fixtures/e2e/stateful.json").first)
        return MockResponder(contract: contract, state: state)
    }

    func call(_ r: MockResponder, _ method: String, _ target: String) -> MockResponder.Answer {
        r.respond(to: HTTPRequestData(method: method, target: target))
    }

    @Test func aScenarioMovesOnceItsStepAnswers() throws {
        let r = try responder()
        #expect(String(decoding: call(r, "GET", "/orders/7/payment").body, as: UTF8.self) == #"{"paid":false}"#)
        #expect(call(r, "POST", "/orders/7/payment").status == 201)
        #expect(String(decoding: call(r, "GET", "/orders/7/payment").body, as: UTF8.self) == #"{"paid":true}"#)
        // Paying again is not possible: the only POST needs state "Started"; the answer says why.
        let again = call(r, "POST", "/orders/7/payment")
        #expect(again.interaction == nil)
        #expect(again.mismatches.first?.message == "interaction \"pay order 7\" answers in scenario \"payment\" state \"Started\"; the scenario is in \"Paid\"")
        r.state.reset()
        #expect(call(r, "POST", "/orders/7/payment").status == 201)
    }

    @Test func aSequenceAnswersInTurnThenStays() throws {
        let r = try responder()
        #expect((0..<5).map { _ in call(r, "GET", "/jobs/1").status } == [202, 202, 200, 200, 200])
    }

    @Test func providerStateSelectionChoosesTheLiveInteraction() throws {
        let r = try responder(MockState(selectedStates: ["card is valid"]))
        #expect(call(r, "POST", "/cards/charge").status == 200)
        r.state.select(states: ["card is declined"])
        #expect(call(r, "POST", "/cards/charge").status == 402)
        r.state.select(states: nil)
        #expect(call(r, "POST", "/cards/charge").status == 402)  // all live: the first in contract order
    }

    @Test func theVerifierChecksASequenceCallByCall() async throws {
        let contract = try #require(try loadContracts("Fixtures/e2e/stateful.json").first)
        let jobs = Contract(file: contract.file, consumer: contract.consumer, provider: contract.provider,
                            interactions: contract.interactions.filter { $0.name == "job progress" })
        let suite = try await withMock([jobs]) { served in
            await Verifier(options: VerifyOptions(baseURL: served[0].url, timeout: 5)).verify(jobs)
        }
        #expect(suite.cases.first?.passed == true, "\(String(describing: suite.cases.first))")
        #expect(suite.cases.first?.log.contains("# call 3 of 3") == true)
    }
}

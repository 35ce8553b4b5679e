import Foundation
import Testing
import TreatyMatching
import TreatyModel
import TreatyReport
import TreatyTestSupport
@testable import TreatyCommands
@testable import TreatyMock
@testable import TreatyVerify

/// The verifier's concurrency, ordering, callbacks, overall timeout and selection, against the mock.
@Suite struct VerifierDepthTests {
    func load(_ text: String, file: String = "c.json") throws -> Contract {
        let result = ContractLoader().load(Array(text.utf8), file: file)
        return try #require(result.contract, "\(result.diagnostics)")
    }

    /// `count` interactions, every third with a 30-120 ms delay, so finishing order differs from contract order.
    func manyInteractions(_ count: Int) throws -> Contract {
        let interactions = (0..<count).map { i in
            let delay = i % 3 == 0 ? #", "mock": {"delay": {"min": "30ms", "max": "120ms"}}"# : ""
            return #"{"name": "item \#(i)"\#(delay), "http": {"request": {"path": "/items/\#(i)"}, "response": {"body": {"id": \#(i)}}}}"#
        }
        return try load(#"{"treaty": 1, "consumer": "c", "provider": "p", "interactions": [\#(interactions.joined(separator: ","))]}"#)
    }

    @Test func concurrentRunsReportInContractOrderWithTheSameVerdicts() async throws {
        let contract = try manyInteractions(60)
        let finishedOrder = LogLines()
        let (serial, parallel) = try await MockServer.withMockServer([MockBinding(responder: MockResponder(contract: contract), port: 0)]) { served in
            let serial = await Verifier(options: VerifyOptions(baseURL: served[0].url, timeout: 5)).verify(contract)
            let parallel = await Verifier(options: VerifyOptions(baseURL: served[0].url, timeout: 5, concurrency: 16))
                .verify([VerifyTarget(contract: contract)]) { finishedOrder.append($0.result.name) }
            return (serial, parallel[0])
        }
        #expect(serial.cases.map(\.name) == contract.interactions.map(\.name))
        #expect(parallel.cases.map(\.name) == contract.interactions.map(\.name))
        #expect(parallel.cases.allSatisfy { $0.passed })
        #expect(finishedOrder.all.count == 60)
        #expect(finishedOrder.all != contract.interactions.map(\.name), "delays should make some finish out of order")
        // 20 delayed interactions of ~75 ms each: serially ~1.5 s; 16 at a time, a fraction of that.
        let serialTime = serial.cases.reduce(0) { $0 + $1.duration }
        #expect(serialTime > 1.0)
    }

    @Test func callbacksAreCheckedAgainstARealProviderThatMakesThem() async throws {
        let payments = try #require(try loadContracts("Contracts/web-shop--payments.json").first)
        // The mock plays the provider: it calls back wherever the request's callbackUrl says, and the
        // verifier hands it its receiver's URL there ({"callbackURL": "/payment-events"}).
        let suite = try await withMock([payments]) { served in
            await Verifier(options: VerifyOptions(baseURL: served[0].url, timeout: 5, callbackTimeout: 3)).verify(payments)
        }
        let result = try #require(suite.cases.first)
        #expect(result.passed, "\(result.outcome)\n\(result.log)")
        // Each run has a prefix of its own on the receiver, so concurrent interactions never take each other's callbacks.
        #expect(result.log.contains("# callback \"payment settled\" arrived: POST /run-0/payment-events"), "\(result.log)")
    }

    @Test func aMissingOrWrongCallbackFailsTheInteraction() async throws {
        let payments = try #require(try loadContracts("Contracts/web-shop--payments.json").first)
        // Providers that drifted: one calls back with another event, one never calls back.
        var wrong = payments
        var silent = payments
        let text = try String(contentsOfFile: TestSupport.path("Contracts/web-shop--payments.json"), encoding: .utf8)
        wrong = try load(text.replacingOccurrences(of: #""event": "payment.settled""#, with: #""event": "payment.failed""#), file: "wrong.json")
        silent.interactions[0].callbacks = []
        for (provider, expectation) in [(wrong, "callback \"payment settled\": "), (silent, "did not arrive")] {
            let suite = try await withMock([provider]) { served in
                await Verifier(options: VerifyOptions(baseURL: served[0].url, timeout: 5, callbackTimeout: 0.5)).verify(payments)
            }
            guard case .failed(let mismatches)? = suite.cases.first?.outcome else {
                Issue.record("expected a failure, got \(String(describing: suite.cases.first?.outcome))")
                continue
            }
            #expect(mismatches.contains { $0.message.contains(expectation) }, "\(mismatches)")
            #expect(mismatches.allSatisfy { $0.path.hasPrefix("$.callbacks[payment settled]") })
        }
    }

    @Test func theOverallTimeoutEndsTheRunWithErrorsNotAHang() async throws {
        let contract = try load("""
            {"treaty": 1, "consumer": "c", "provider": "p", "interactions": [
              {"name": "quick", "http": {"request": {"path": "/q"}, "response": {"status": 204}}},
              {"name": "slow", "mock": {"delay": "3s"}, "http": {"request": {"path": "/s"}, "response": {"status": 204}}},
              {"name": "later", "given": ["x"], "mock": {"delay": "3s"}, "http": {"request": {"path": "/l"}, "response": {"status": 204}}}]}
            """)
        // The verifier's own time, not the mock's shutdown after it (which may wait for the slow
        // answer's connection to close, and on a loaded machine, for its 3 s delay).
        let (suite, elapsed) = try await withMock([contract]) { served in
            let started = ContinuousClock.now
            let suite = await Verifier(options: VerifyOptions(baseURL: served[0].url, timeout: 10, concurrency: 1, totalTimeout: 0.5))
                .verify(contract)
            return (suite, ContinuousClock.now - started)
        }
        #expect(elapsed < .seconds(3))
        #expect(suite.cases.map(\.name) == ["quick", "slow", "later"])
        #expect(suite.cases[0].passed)
        for result in suite.cases.dropFirst() {
            guard case .error(let kind, let message) = result.outcome else { Issue.record("\(result.name): \(result.outcome)"); continue }
            #expect(kind == "timeout")
            #expect(message.contains("--total-timeout"))
        }
    }

    @Test func shardsSplitEveryInteractionExactlyOnceAndStably() throws {
        let contract = try manyInteractions(200)
        var seen: [String: Int] = [:]
        for shard in 1...4 {
            for interaction in contract.interactions where VerifyCommand.shardOf(file: contract.file, interaction: interaction.name, count: 4) == shard {
                seen[interaction.name, default: 0] += 1
            }
        }
        #expect(seen.count == 200 && seen.values.allSatisfy { $0 == 1 })
        let sizes = (1...4).map { shard in contract.interactions.filter { VerifyCommand.shardOf(file: contract.file, interaction: $0.name, count: 4) == shard }.count }
        #expect(sizes.allSatisfy { $0 > 25 }, "\(sizes)")  // roughly even
        #expect(VerifyCommand.shardOf(file: "a.json", interaction: "x", count: 7) == VerifyCommand.shardOf(file: "a.json", interaction: "x", count: 7))
        #expect(VerifyCommand.parseShard("2/4")! == (2, 4))
        #expect(VerifyCommand.parseShard("5/4") == nil && VerifyCommand.parseShard("0/4") == nil && VerifyCommand.parseShard("x") == nil)
    }
}

import Foundation
import Testing
import TreatyMatching
import TreatyModel
import TreatyReport
import TreatyTestSupport
@testable import TreatyCommands
@testable import TreatyMock
@testable import TreatyVerify

/// Loads contracts the way the commands do (relative file references resolved against the package).
func loadContracts(_ relative: String) throws -> [Contract] {
    let loaded = ContractFiles(root: TestSupport.packageRoot).load([TestSupport.path(relative)])
    #expect(!loaded.diagnostics.containsErrors, "\(loaded.diagnostics)")
    return loaded.contracts
}

/// Serves `contracts` on ephemeral loopback ports while `body` runs.
func withMock<R: Sendable>(_ contracts: [Contract], log: @escaping @Sendable (String) -> Void = { _ in },
                           _ body: @Sendable ([ServedContract]) async throws -> R) async throws -> R {
    let bindings = contracts.map { MockBinding(responder: MockResponder(contract: $0), port: 0) }
    return try await MockServer.withMockServer(bindings, log: log, body)
}

@Suite struct MockVerifyRoundTripTests {
    @Test func everyExampleContractVerifiesAgainstItsOwnMock() async throws {
        let contracts = try loadContracts("Contracts")
        #expect(contracts.count >= 2)
        for contract in contracts {
            let suite = try await withMock([contract]) { served in
                // The mock plays the message producer too (POST /_treaty/messages/produce).
                var options = VerifyOptions(baseURL: served[0].url, timeout: 5)
                options.messageURL = served[0].url + "/_treaty/messages/produce"
                return await Verifier(options: options).verify(contract)
            }
            #expect(suite.cases.count == contract.interactions.count)
            for result in suite.cases {
                #expect(result.passed, "\(contract.file) › \(result.name): \(result.outcome)\n\(result.log)")
            }
        }
    }

    @Test func everyExampleContractVerifiesOverHTTP2WithPriorKnowledge() async throws {
        for contract in try loadContracts("Contracts") {
            let suite = try await withMock([contract]) { served in
                var options = VerifyOptions(baseURL: served[0].url, timeout: 5, http2PriorKnowledge: true)
                options.messageURL = served[0].url + "/_treaty/messages/produce"
                return await Verifier(options: options).verify(contract)
            }
            for result in suite.cases {
                #expect(result.passed, "\(contract.file) › \(result.name) over HTTP/2: \(result.outcome)\n\(result.log)")
            }
        }
    }

    @Test func aProviderThatAnswersDifferentlyFailsWithTheExpectedMismatches() async throws {
        let real = try #require(try loadContracts("Contracts/web-shop--orders.json").first)
        let drifted = try loadContracts("Fixtures/e2e/orders-drifted.json")
        let suite = try await withMock(drifted) { served in
            await Verifier(options: VerifyOptions(baseURL: served[0].url, timeout: 5)).verify(real)
        }
        func mismatches(_ name: String) -> [String] {
            guard case .failed(let m)? = suite.cases.first(where: { $0.name == name })?.outcome else { return [] }
            return m.map(\.description)
        }
        #expect(mismatches("get an existing order") == [
            "$.body.id: expected an integer, got string \"42\"",
            "$.body.status: \"cancelled\" does not match /^(pending|paid|shipped)$/",
            "$.body.total: expected a decimal number, got 31",
            "$.body.placedAt: \"yesterday\" is not a datetime in the format yyyy-MM-dd'T'HH:mm:ssXXX",
            "$.body.items: expected at least 1 element(s), got 0",
        ])
        #expect(mismatches("get a missing order") == [
            "$.status: expected status 404, got 500",
            "$.headers.Content-Type: expected header \"Content-Type\" to be \"application/problem+json\", got \"text/plain\"",
            "$.body: body is not JSON: unexpected 'b'; expected a value at 1:1",
        ])
        #expect(mismatches("list orders of a customer") == [
            "$.body.orders[0].status: expected a string, got 2",
            "$.body.next: missing key \"next\"",
        ])
        // Interactions the drifted provider does not know get the mock's 404 diagnostic answer.
        #expect(mismatches("cancel an order").first == "$.status: expected status 204, got 404")

        let report = VerificationReport(suites: [suite], timestamp: "2026-11-25T00:00:00Z")
        let file = try TestSupport.temporaryFolder() + "/junit.xml"
        try JUnitWriter.write(report, to: file)
        #expect(TestSupport.schemaErrors(file: file, schema: TestSupport.junitSchema) == nil)
        let xml = try String(contentsOfFile: file, encoding: .utf8)
        #expect(xml.contains(#"<testsuite name="web-shop → orders" tests="7" failures="7" errors="0""#))
        #expect(xml.contains("$.body.total: expected a decimal number, got 31"))
    }

    @Test func anUnmatchedRequestGetsADiagnosticAnswerAndALogLine() async throws {
        let contract = try #require(try loadContracts("Contracts/web-shop--orders.json").first)
        let lines = LogLines()
        let response = try await withMock([contract], log: { lines.append($0) }) { served in
            try await BlockingWork.run {
                try CurlHTTPClient().send(HTTPRequestData(method: "GET", target: "/orders/42", headers: [("Accept", "text/html")]),
                                          to: served[0].url + "/orders/42")
            }.get()
        }
        #expect(response.status == 404)
        #expect(response.header("X-Treaty-Unmatched") == "true")
        let body = try JSONParser.parse(response.body).root
        #expect(body["nearest"]?["interaction"]?.stringValue == "get an existing order")
        let mismatch = try #require(body["nearest"]?["mismatches"]?.arrayValue?.first)
        #expect(mismatch["path"]?.stringValue == "$.headers.Accept")
        #expect(mismatch["expected"]?.stringValue == "application/json")
        #expect(mismatch["actual"]?.stringValue == "text/html")
        #expect(lines.all == ["unmatched GET /orders/42 → 404; nearest mismatch $.headers.Accept: expected header \"Accept\" to be \"application/json\", got \"text/html\""])
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() async throws {
        let contract = try #require(try loadContracts("Contracts/web-shop--catalog.json").first)
        let statuses = try await withMock([contract]) { served in
            // Called straight from the cooperative pool on purpose: the mock must not depend on it.
            let client = try CurlHTTPClient()
            return try (0..<50).map { _ in
                try client.send(HTTPRequestData(method: "GET", target: "/products/ABC-1", headers: [("Accept", "application/json")]),
                                to: served[0].url + "/products/ABC-1").status
            }
        }
        #expect(statuses == Array(repeating: 200, count: 50))
    }

    @Test func connectionRefusedIsAClassifiedError() async throws {
        let contract = try #require(try loadContracts("Contracts/web-shop--catalog.json").first)
        // Bind and close a port so that nothing listens there.
        let port = try await withMock([contract]) { served in served[0].port }
        let suite = await Verifier(options: VerifyOptions(baseURL: "http://127.0.0.1:\(port)", timeout: 5)).verify(contract)
        for result in suite.cases {
            guard case .error(let kind, let message) = result.outcome else {
                Issue.record("expected an error, got \(result.outcome)")
                continue
            }
            #expect(kind == "connection-refused")
            #expect(message.contains("Is the provider running"))
        }
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

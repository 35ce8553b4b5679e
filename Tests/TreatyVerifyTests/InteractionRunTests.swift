import Testing
import TreatyMatching
import TreatyModel
import TreatyReport
@testable import TreatyVerify

/// One `InteractionRun` driven by a fake transport: the exchange chosen by the interaction's kind,
/// its result turned into the case's outcome, errors through one path, states torn down.
@Suite struct InteractionRunTests {
    static let base = "http://provider.test"

    /// The first interaction of a contract of `json` (one or more interactions).
    static func interaction(_ json: String) -> Interaction {
        let text = #"{"treaty": 1, "consumer": "c", "provider": "p", "interactions": [\#(json)]}"#
        let result = ContractLoader().load(Array(text.utf8), file: "run.json")
        guard let contract = result.contract else { fatalError("\(result.diagnostics)") }
        return contract.interactions[0]
    }

    /// Runs `interaction` to its end against `transfers`; the fake answers at once, so the run
    /// finishes inside `begin()`.
    static func run(_ interaction: Interaction, _ transfers: FakeTransfers, stateURL: String? = nil, messageURL: String? = nil) -> CaseResult? {
        var options = VerifyOptions(baseURL: base, stateURL: stateURL)
        options.messageURL = messageURL
        var result: CaseResult?
        let run = InteractionRun(interaction: interaction, suite: 0, slot: 0, order: 0, baseURL: base, options: options, receiver: nil,
                                 multi: transfers) { _, finished in result = finished }
        run.begin()
        return result
    }

    static let order = interaction(#"""
        {"name": "get an order", "http": {"request": {"path": "/orders/1"},
         "response": {"headers": {"Content-Type": "application/json"}, "body": {"id": 1, "status": "open"}}}}
        """#)

    static func json(_ text: String, status: Int = 200) -> Result<HTTPResponseData, TransportError> {
        .success(HTTPResponseData(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8)))
    }

    @Test func aMatchingAnswerPasses() {
        let transfers = FakeTransfers { _, _ in Self.json(#"{"id": 1, "status": "open"}"#) }
        let result = Self.run(Self.order, transfers)
        #expect(result?.passed == true, "\(String(describing: result))")
        #expect(transfers.started.map(\.url) == ["http://provider.test/orders/1"])
        #expect(transfers.started.map(\.mode) == ["collect"])
    }

    @Test func aDifferentBodyFailsWithItsMismatchesAndADiff() throws {
        let transfers = FakeTransfers { _, _ in Self.json(#"{"id": 1, "status": "closed"}"#) }
        let result = try #require(Self.run(Self.order, transfers))
        guard case .failed(let mismatches) = result.outcome else {
            Issue.record("expected a failure, got \(result.outcome)")
            return
        }
        #expect(mismatches.map(\.path) == ["$.body.status"])
        #expect(result.bodyDiff?.contains("closed") == true)
    }

    @Test func aTransportErrorIsLoggedAndReportedWithItsAdvice() throws {
        let transfers = FakeTransfers { _, url in .failure(TransportError(kind: .connectionRefused, message: "\(url): Connection refused")) }
        let result = try #require(Self.run(Self.order, transfers))
        guard case .error(let kind, let message) = result.outcome else {
            Issue.record("expected an error, got \(result.outcome)")
            return
        }
        #expect(kind == "connection-refused")
        #expect(message == "http://provider.test/orders/1: Connection refused. Is the provider running and listening on that host and port?")
        #expect(result.log.contains("! connection-refused: http://provider.test/orders/1: Connection refused\n"))
    }

    /// A failing setup ends in a `state-setup` error, the exchange is not sent, and the state is
    /// still torn down.
    @Test func aFailingStateSetupSkipsTheExchangeAndStillTearsDown() throws {
        let stateful = Self.interaction(#"""
            {"name": "with a state", "given": [{"state": "an order exists"}],
             "http": {"request": {"path": "/orders/1"}, "response": {"status": 200}}}
            """#)
        let transfers = FakeTransfers { _, _ in .success(HTTPResponseData(status: 500, body: Array("no database".utf8))) }
        let result = try #require(Self.run(stateful, transfers, stateURL: "http://provider.test/_state"))
        guard case .error(let kind, let message) = result.outcome else {
            Issue.record("expected an error, got \(result.outcome)")
            return
        }
        #expect(kind == "state-setup")
        #expect(message == "provider state \"an order exists\" setup failed: http://provider.test/_state answered 500: no database")
        #expect(transfers.started.map(\.url) == ["http://provider.test/_state", "http://provider.test/_state"])
        let actions = transfers.started.map { (try? JSONParser.parse($0.request.body).root)?.objectValue?["action"]?.stringValue }
        #expect(actions == ["setup", "teardown"])
    }

    /// Each kind that goes through the multi engine makes its own transfer: the request, the URL
    /// and the transfer mode say which exchange ran.
    @Test(arguments: [
        (#"{"name": "e", "http": {"request": {"method": "POST", "path": "/a"}, "response": {"status": 204}}}"#, "POST", "http://provider.test/a", "collect"),
        (#"{"name": "e", "sse": {"request": {"path": "/events"}, "events": [{"data": "hi"}]}}"#, "GET", "http://provider.test/events", "stream"),
        (#"{"name": "e", "longPoll": {"request": {"path": "/wait"}, "hold": "10ms", "response": {"status": 200}}}"#, "GET", "http://provider.test/wait", "collect"),
        (#"{"name": "e", "jsonrpc": {"path": "/rpc", "method": "sum", "params": [1, 2], "result": 3}}"#, "POST", "http://provider.test/rpc", "collect"),
        (#"{"name": "e", "message": {"body": {"id": 1}}}"#, "POST", "http://provider.test/_messages", "collect"),
    ])
    func eachKindRunsItsOwnExchange(_ json: String, method: String, url: String, mode: String) throws {
        let transfers = FakeTransfers { _, _ in .success(HTTPResponseData(status: 599)) }
        _ = try #require(Self.run(Self.interaction(json), transfers, messageURL: "http://provider.test/_messages"))
        let first = try #require(transfers.started.first)
        #expect(first.request.method == method)
        #expect(first.url == url)
        #expect(first.mode == mode)
    }

    @Test func aMessageWithoutAProducerIsSkipped() throws {
        let transfers = FakeTransfers { _, _ in Self.json("{}") }
        let result = try #require(Self.run(Self.interaction(#"{"name": "m", "message": {"body": {"id": 1}}}"#), transfers))
        guard case .skipped(let reason) = result.outcome else {
            Issue.record("expected a skip, got \(result.outcome)")
            return
        }
        #expect(reason == "message interaction: no --message-url given")
        #expect(transfers.started.isEmpty)
    }

    /// Errors found before any transfer go through the same path: the outcome and a `!` line.
    @Test(arguments: [
        (#"{"name": "e", "http": {"request": {"path": "/pay"}, "response": {"status": 202}}, "#
             + #""callbacks": [{"name": "done", "request": {"method": "POST", "url": "http://127.0.0.1:9/done"}}]}"#,
         "callback-receiver", "cannot listen on 127.0.0.1 for this interaction's callbacks; check --callback-host"),
        // The run knows no other interaction (`interactionNamed` is not set), so it cannot make the call.
        (#"{"name": "e", "longPoll": {"request": {"path": "/wait"}, "hold": {"untilCalled": "elsewhere"}, "response": {"status": 200}}}, "#
             + #"{"name": "elsewhere", "http": {"request": {"method": "POST", "path": "/deliver"}, "response": {"status": 204}}}"#,
         "contract", "the long poll waits for \"elsewhere\", which this run cannot call"),
    ])
    func anErrorBeforeTheExchangeIsLoggedAndReported(_ json: String, kind: String, message: String) throws {
        let transfers = FakeTransfers { _, _ in Self.json("{}") }
        let result = try #require(Self.run(Self.interaction(json), transfers))
        guard case .error(let actualKind, let actualMessage) = result.outcome else {
            Issue.record("expected an error, got \(result.outcome)")
            return
        }
        #expect(actualKind == kind)
        #expect(actualMessage == message)
        #expect(result.log == "! \(kind): \(message)\n")
        #expect(transfers.started.isEmpty)
    }
}

import Testing
import TreatyReport
@testable import TreatyVerify

/// The typed errors map to the kind strings and messages the reports have always carried: JUnit's
/// `type`, the JSON report's `kind`, and the tests and tools that read them compare these strings.
@Suite struct VerifyErrorTests {
    static let refused = TransportError(kind: .connectionRefused, message: "http://127.0.0.1:9/x: Connection refused")
    static let reset = TransportError(kind: .reset, message: "http://127.0.0.1:9/x: Recv failure")

    static let cases: [(VerifyError, String, String)] = [
        (.transport(refused), "connection-refused",
         "http://127.0.0.1:9/x: Connection refused. Is the provider running and listening on that host and port?"),
        (.grpcTransport(refused), "connection-refused",
         "http://127.0.0.1:9/x: Connection refused. Is the provider running and listening on that host and port?"),
        (.grpcTransport(reset), "connection-reset",
         "http://127.0.0.1:9/x: Recv failure. The provider closed the connection mid-exchange; check its logs."
             + " gRPC needs HTTP/2 (h2c with prior knowledge for http:// URLs): is this a gRPC server?"),
        (.preparation(TransportError(kind: .other, message: "libcurl could not be initialised")), "transport", "libcurl could not be initialised"),
        (.overallTimeout(seconds: 2, notRun: true), "timeout", "not run: the overall timeout (--total-timeout 2.000 s) ran out"),
        (.overallTimeout(seconds: 0.5, notRun: false), "timeout", "the overall timeout (--total-timeout 0.500 s) ran out"),
        (.stateSetup("provider state \"s\" setup failed: http://h/state answered 500"), "state-setup",
         "provider state \"s\" setup failed: http://h/state answered 500"),
        (.callbackReceiver(host: "10.0.0.1"), "callback-receiver",
         "cannot listen on 10.0.0.1 for this interaction's callbacks; check --callback-host"),
        (.awaitedCallUnknown("release"), "contract", "the long poll waits for \"release\", which this run cannot call"),
        (.messageProducer(url: "http://h/messages", status: 404, description: "an order", body: "unknown"), "message-producer",
         "http://h/messages answered 404 when asked for \"an order\": unknown. Does the producer know this description?"),
        (.protocolError("grpc-status \"fine\" is not a status code"), "protocol-error", "grpc-status \"fine\" is not a status code"),
    ]

    @Test(arguments: cases)
    func kindAndMessage(_ error: VerifyError, kind: String, message: String) {
        #expect(error.kind == kind)
        #expect(error.message == message)
        guard case .error(let outcomeKind, let outcomeMessage) = error.outcome else {
            Issue.record("\(error) is not an error outcome")
            return
        }
        #expect(outcomeKind == kind)
        #expect(outcomeMessage == message)
    }

    /// The log's `!` line keeps a transport error's message without the advice (the report has it).
    @Test func summaryLeavesTheAdviceOut() {
        #expect(VerifyError.transport(Self.refused).summary == "http://127.0.0.1:9/x: Connection refused")
        #expect(VerifyError.grpcTransport(Self.reset).summary == "http://127.0.0.1:9/x: Recv failure")
        #expect(VerifyError.stateSetup("setup failed").summary == "setup failed")
    }
}

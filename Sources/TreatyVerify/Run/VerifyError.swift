import TreatyReport

/// Why an interaction could not be judged. Each case maps to the kind string the reports carry
/// (`CaseResult.Outcome.error(kind:message:)`: JUnit's `type`, the JSON report's `kind`), which
/// stay strings at that boundary so reports and their readers are unchanged.
package enum VerifyError: Error, Hashable, Sendable {
    /// The provider could not be reached, or broke HTTP or WebSocket framing, during the exchange:
    /// the transport error's kind, its message ending with what to check.
    case transport(TransportError)
    /// A gRPC call that failed on the wire: as `transport`, plus a hint when the answer looked like
    /// no HTTP/2 at all (an empty, malformed or reset answer).
    case grpcTransport(TransportError)
    /// The exchange could not be prepared (libcurl could not start, a client could not be made, a
    /// generated value does not fit a message): the transport error's kind and message, no advice.
    case preparation(TransportError)
    /// `--total-timeout` ran out: before the interaction started (`notRun`), or while it was in flight.
    case overallTimeout(seconds: Double, notRun: Bool)
    /// A provider state's setup call failed (the message says which state and how).
    case stateSetup(String)
    /// The interaction expects callbacks, but no receiver could listen on `host`.
    case callbackReceiver(host: String)
    /// A long poll waits for an interaction this run cannot call.
    case awaitedCallUnknown(String)
    /// The message producer answered `status` (not 2xx) when asked for the message `description`.
    case messageProducer(url: String, status: Int, description: String, body: String)
    /// The answer is not the protocol at all (a gRPC answer without a status, a cut message).
    case protocolError(String)

    /// The kind the reports carry.
    package var kind: String {
        switch self {
        case .transport(let error), .grpcTransport(let error), .preparation(let error): error.kind.rawValue
        case .overallTimeout: TransportError.Kind.timeout.rawValue
        case .stateSetup: "state-setup"
        case .callbackReceiver: "callback-receiver"
        case .awaitedCallUnknown: "contract"
        case .messageProducer: "message-producer"
        case .protocolError: "protocol-error"
        }
    }

    /// What happened, for the exchange log's `!` line (transport errors without their advice).
    var summary: String {
        switch self {
        case .transport(let error), .grpcTransport(let error), .preparation(let error): error.message
        default: message
        }
    }

    /// What happened and, for transport errors, what to check: the report's message.
    package var message: String {
        switch self {
        case .transport(let error):
            "\(error.message). \(error.advice)"
        case .grpcTransport(let error):
            "\(error.message). \(error.advice)"
                + ([.emptyResponse, .malformedResponse, .reset].contains(error.kind)
                    ? " gRPC needs HTTP/2 (h2c with prior knowledge for http:// URLs): is this a gRPC server?" : "")
        case .preparation(let error):
            error.message
        case .overallTimeout(let seconds, let notRun):
            (notRun ? "not run: " : "") + "the overall timeout (--total-timeout \(decimalSeconds(seconds)) s) ran out"
        case .stateSetup(let message), .protocolError(let message):
            message
        case .callbackReceiver(let host):
            "cannot listen on \(host) for this interaction's callbacks; check --callback-host"
        case .awaitedCallUnknown(let name):
            "the long poll waits for \"\(name)\", which this run cannot call"
        case .messageProducer(let url, let status, let description, let body):
            "\(url) answered \(status) when asked for \"\(description)\": \(body). Does the producer know this description?"
        }
    }

    /// The outcome the reports show.
    var outcome: CaseResult.Outcome { .error(kind: kind, message: message) }
}

/// Why an exchange could not be judged, classified so reports can say what to check.
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case connectionRefused = "connection-refused"
        case nameResolution = "name-resolution"
        case timeout
        case tls
        case reset = "connection-reset"
        case emptyResponse = "empty-response"
        case malformedResponse = "malformed-response"
        case protocolError = "protocol-error"
        case responseTooLarge = "response-too-large"
        case invalidURL = "invalid-url"
        case other = "transport"
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// What to check, in one sentence, per kind.
    public var advice: String {
        switch kind {
        case .connectionRefused: "Is the provider running and listening on that host and port?"
        case .nameResolution: "Check the host name in --base-url."
        case .timeout: "The provider did not answer in time; raise --timeout (or --total-timeout for the whole run) or check why it is slow."
        case .tls: "Check the provider's certificate and the TLS options."
        case .reset: "The provider closed the connection mid-exchange; check its logs."
        case .emptyResponse: "The provider closed the connection without answering; check its logs."
        case .malformedResponse: "The provider's answer is not valid HTTP."
        case .protocolError: "The provider broke the WebSocket protocol (RFC 6455); see the message for what it sent."
        case .responseTooLarge: "The response body is larger than the verifier accepts."
        case .invalidURL: "Check --base-url."
        case .other: "See the message for details."
        }
    }
}

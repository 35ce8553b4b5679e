/// A JSON-RPC 2.0 call over HTTP: the method and params the client sends to an endpoint, and the
/// result or error object the server answers (nothing, for a notification).
public struct JSONRPCInteraction: Sendable {
    /// The endpoint's path (`/rpc` unless the contract says otherwise).
    public var path: String
    /// Headers the client sends (matched like an HTTP request's).
    public var headers: [HeaderSpec]
    public var method: String
    /// By name (an object) or by position (an array), with matchers; nil when the call has none.
    public var params: Pattern?
    public var outcome: Outcome
    /// A notification carries no id and gets no answer.
    public var notification: Bool
    /// How calls travel: POSTed over HTTP, or as text frames on a WebSocket opened at `path`.
    public var transport: Transport = .http

    public enum Transport: String, Sendable {
        case http, websocket
    }

    public enum Outcome: Sendable {
        case result(Pattern)
        /// `code` exact, `message` a string pattern, `data` optional.
        case error(code: Int, message: Pattern, data: Pattern?)
        /// Notifications are not answered.
        case none
    }

    public init(path: String = "/rpc", headers: [HeaderSpec] = [], method: String, params: Pattern?, outcome: Outcome, notification: Bool = false) {
        self.path = path
        self.headers = headers
        self.method = method
        self.params = params
        self.outcome = outcome
        self.notification = notification
    }
}

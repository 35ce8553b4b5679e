/// How `treaty verify` reaches the provider.
public struct VerifyOptions: Sendable {
    /// Where the provider listens, such as `http://127.0.0.1:8080` (a path prefix is kept).
    public var baseURL: String
    /// Called with `{"state", "params", "action": "setup"|"teardown"}` around interactions that have states.
    public var stateURL: String?
    /// Seconds one exchange may take.
    public var timeout: Double
    /// Headers added to every request (`--header`), after the contract's own.
    public var extraHeaders: [(name: String, value: String)]
    /// Speak HTTP/2 without negotiation (h2c prior knowledge) to `http://` providers.
    public var http2PriorKnowledge: Bool

    public init(baseURL: String, stateURL: String? = nil, timeout: Double = 30, extraHeaders: [(name: String, value: String)] = [],
                http2PriorKnowledge: Bool = false) {
        self.baseURL = baseURL
        self.stateURL = stateURL
        self.timeout = timeout
        self.extraHeaders = extraHeaders
        self.http2PriorKnowledge = http2PriorKnowledge
    }
}

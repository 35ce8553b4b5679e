/// How `treaty verify` reaches the provider.
public struct VerifyOptions: Sendable {
    /// Where the provider listens, such as `http://127.0.0.1:8080` (a path prefix is kept).
    public var baseURL: String
    /// Base URLs by provider name, for contracts of several providers verified together; others use `baseURL`.
    public var baseURLs: [String: String]
    /// Called with `{"state", "params", "action": "setup"|"teardown"}` around interactions that have states.
    public var stateURL: String?
    /// The provider's message producer: asked with `{"description", "providerStates"}` for each
    /// message interaction, it answers the message (Pact's convention).
    public var messageURL: String?
    /// Headers added to every request (`--header`, the bearer token), after the contract's own.
    public var extraHeaders: [(name: String, value: String)]
    /// Timeouts, HTTP/2, TLS and proxy settings for every exchange.
    public var transport: TransportOptions
    /// Interactions in flight at once.
    public var concurrency: Int
    /// Seconds the whole run may take; interactions not finished by then are errors.
    public var totalTimeout: Double?
    /// Seconds to wait for a callback after the answer (on top of the callback's own `after`).
    public var callbackTimeout: Double
    /// The address the callback receiver binds (the provider must reach it).
    public var callbackHost: String

    public init(baseURL: String, stateURL: String? = nil, timeout: Double = 30, extraHeaders: [(name: String, value: String)] = [],
                http2PriorKnowledge: Bool = false, baseURLs: [String: String] = [:], transport: TransportOptions? = nil,
                concurrency: Int = 1, totalTimeout: Double? = nil, callbackTimeout: Double = 5, callbackHost: String = "127.0.0.1") {
        self.baseURL = baseURL
        self.baseURLs = baseURLs
        self.stateURL = stateURL
        self.extraHeaders = extraHeaders
        self.transport = transport ?? TransportOptions(timeout: timeout, connectTimeout: min(10, timeout), http2PriorKnowledge: http2PriorKnowledge)
        self.concurrency = max(1, concurrency)
        self.totalTimeout = totalTimeout
        self.callbackTimeout = callbackTimeout
        self.callbackHost = callbackHost
    }

    /// Seconds one exchange may take.
    public var timeout: Double { transport.timeout }

    /// The base URL for a contract's provider.
    public func baseURL(for provider: String) -> String { baseURLs[provider] ?? baseURL }
}

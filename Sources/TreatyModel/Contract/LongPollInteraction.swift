/// A request the provider holds until something happens, then answers: after a time, when a named
/// trigger fires (the mock's admin API), or when another interaction of the contract is called.
/// Nothing happening within `timeoutMilliseconds` gets `timeoutResponse` (204 by default).
public struct LongPollInteraction: Sendable {
    public var request: HTTPRequestSpec
    /// The answer once the awaited thing happened.
    public var response: HTTPResponseSpec
    public var hold: Hold
    /// For `trigger` and `call` holds: how long the request is held before the timeout answer.
    public var timeoutMilliseconds: Int
    public var timeoutResponse: HTTPResponseSpec

    public enum Hold: Sendable, Equatable {
        /// Answer after this many milliseconds.
        case duration(Int)
        /// Answer when the trigger of this name fires (`POST /triggers/NAME` on the admin API).
        case trigger(String)
        /// Answer when the interaction of this name (same contract) is called.
        case call(String)
    }

    public init(request: HTTPRequestSpec, response: HTTPResponseSpec, hold: Hold, timeoutMilliseconds: Int = 30_000,
                timeoutResponse: HTTPResponseSpec = HTTPResponseSpec(status: 204)) {
        self.request = request
        self.response = response
        self.hold = hold
        self.timeoutMilliseconds = timeoutMilliseconds
        self.timeoutResponse = timeoutResponse
    }
}

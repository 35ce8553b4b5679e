/// Stateful behaviour of the mock for one interaction.
///
/// A scenario step makes the interaction available only while the named scenario is in `state`
/// (every scenario starts in `"Started"`, as in WireMock), and moves it to `next` once it answers:
/// `"scenario": {"name": "checkout", "state": "Started", "next": "Paid"}`.
public struct ScenarioStep: Sendable, Equatable {
    public static let initialState = "Started"

    public var name: String
    /// The state the scenario must be in; nil means any.
    public var state: String?
    /// The state after this interaction answers; nil leaves it.
    public var next: String?

    public init(name: String, state: String? = nil, next: String? = nil) {
        self.name = name
        self.state = state
        self.next = next
    }
}

/// Several responses to the same request, one per call: `"responses": [A, B], "repeat": true`.
public struct ResponseSequence: Sendable {
    public var responses: [HTTPResponseSpec]
    /// After the last: start again (true) or keep answering the last (false).
    public var repeats: Bool

    public init(responses: [HTTPResponseSpec], repeats: Bool) {
        self.responses = responses
        self.repeats = repeats
    }
}

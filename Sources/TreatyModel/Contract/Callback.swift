/// A request the provider makes after answering an interaction (a webhook): the mock sends it,
/// the verifier expects it. Its parts are patterns, so the mock can fill them from the triggering
/// request with generators (`{"fromRequest": "/body/callbackUrl"}`) and a receiver can match them.
public struct Callback: Sendable {
    /// A name for logs and the admin API (`callback 1` when the contract gives none).
    public var name: String
    /// Milliseconds between the answer and the callback.
    public var delayMilliseconds: Int
    public var method: String
    /// A string pattern for the absolute `http://` or `https://` URL.
    public var url: Pattern
    public var headers: [HeaderSpec]
    public var body: BodySpec?
    public var position: SourcePosition
    public var pointer: JSONPointer

    public init(name: String, delayMilliseconds: Int = 0, method: String = "POST", url: Pattern, headers: [HeaderSpec] = [],
                body: BodySpec? = nil, position: SourcePosition = .start, pointer: JSONPointer = .root) {
        self.name = name
        self.delayMilliseconds = delayMilliseconds
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.position = position
        self.pointer = pointer
    }
}

/// An asynchronous message: its contents and metadata (as Pact message pacts describe them).
public struct MessageSpec: Sendable {
    public var contents: BodySpec?
    public var metadata: [HeaderSpec]

    public init(contents: BodySpec?, metadata: [HeaderSpec] = []) {
        self.contents = contents
        self.metadata = metadata
    }
}

import NIOConcurrencyHelpers

/// The responder a port serves, replaceable while it runs (hot reload, the admin API).
public final class ResponderBox: Sendable {
    private let value: NIOLockedValueBox<MockResponder>

    public init(_ responder: MockResponder) { value = NIOLockedValueBox(responder) }

    public var current: MockResponder { value.withLockedValue { $0 } }

    public func replace(with responder: MockResponder) { value.withLockedValue { $0 = responder } }
}

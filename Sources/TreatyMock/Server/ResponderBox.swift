import Atomics

/// The responder a port serves, replaceable while it runs (hot reload). Read on every request from
/// every event loop, so it is an atomic reference rather than a lock that the loops would contend on.
public final class ResponderBox: Sendable {
    private final class Holder: AtomicReference, Sendable {
        let responder: MockResponder
        init(_ responder: MockResponder) { self.responder = responder }
    }

    private let holder: ManagedAtomic<Holder>

    public init(_ responder: MockResponder) { holder = ManagedAtomic(Holder(responder)) }

    public var current: MockResponder { holder.load(ordering: .acquiring).responder }

    public func replace(with responder: MockResponder) { holder.store(Holder(responder), ordering: .releasing) }
}

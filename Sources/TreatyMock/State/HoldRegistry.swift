import Atomics
import NIOConcurrencyHelpers

/// Long-poll requests being held, by what they wait for (`trigger:NAME`, `call:INTERACTION`). A
/// release runs every waiter's closure (each hops to its own connection's event loop); a waiter
/// that timed out or whose client went is cancelled first. Shared by every connection of a contract.
public final class HoldRegistry: Sendable {
    private struct Waiters {
        var byKey: [String: [Int: @Sendable () -> Void]] = [:]
        var nextID = 0
    }

    private let waiters = NIOLockedValueBox(Waiters())
    /// How many are held: the request path checks this before taking the lock.
    private let count = ManagedAtomic<Int>(0)

    public init() {}

    public var isEmpty: Bool { count.load(ordering: .relaxed) == 0 }

    /// Holds a waiter for `key`; its id, for `cancel`.
    func hold(_ key: String, release: @escaping @Sendable () -> Void) -> Int {
        count.wrappingIncrement(ordering: .relaxed)
        return waiters.withLockedValue { w in
            w.nextID += 1
            w.byKey[key, default: [:]][w.nextID] = release
            return w.nextID
        }
    }

    /// Forgets a waiter (timed out, or its client went); false when it was already released.
    @discardableResult
    func cancel(_ key: String, id: Int) -> Bool {
        let removed = waiters.withLockedValue { w -> Bool in
            guard w.byKey[key]?.removeValue(forKey: id) != nil else { return false }
            if w.byKey[key]?.isEmpty == true { w.byKey[key] = nil }
            return true
        }
        if removed { count.wrappingDecrement(ordering: .relaxed) }
        return removed
    }

    /// Releases every waiter for `key`; how many there were.
    @discardableResult
    public func release(_ key: String) -> Int {
        guard !isEmpty else { return 0 }
        let released = waiters.withLockedValue { $0.byKey.removeValue(forKey: key) } ?? [:]
        count.wrappingDecrement(by: released.count, ordering: .relaxed)
        for release in released.values { release() }
        return released.count
    }

    /// Waiters per key.
    public func counts() -> [String: Int] {
        waiters.withLockedValue { $0.byKey.mapValues(\.count) }
    }

    /// Releases nothing and forgets everyone (admin reset); their timeouts still answer them.
    func reset() {
        let dropped = waiters.withLockedValue { w -> Int in
            let n = w.byKey.values.reduce(0) { $0 + $1.count }
            w.byKey = [:]
            return n
        }
        count.wrappingDecrement(by: dropped, ordering: .relaxed)
    }
}

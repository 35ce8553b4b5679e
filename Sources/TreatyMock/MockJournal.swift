import NIOConcurrencyHelpers
import TreatyMatching
import TreatyModel

/// What the mock saw: the latest requests in a ring buffer of fixed size (memory stays flat under
/// any load) and, per interaction, how often it was called. Shared by every port and the admin API.
public final class MockJournal: Sendable {
    public struct Entry: Sendable {
        /// Seconds since 1970 (formatted only when someone reads the journal).
        public var time: Double
        public var contract: Int
        public var method: String
        public var path: String
        public var query: String
        public var status: Int
        /// The interaction that answered; nil when nothing matched.
        public var interaction: String?
        /// The nearest interaction's mismatches, for unmatched requests.
        public var nearest: String?
        public var mismatches: [Mismatch]
    }

    private struct State {
        var ring: [Entry?]
        var next = 0
        var recorded = 0
        var calls: [[Int]]
    }

    private let state: NIOLockedValueBox<State>
    public let capacity: Int

    /// `interactionCounts[i]` is the number of interactions of contract `i`.
    public init(capacity: Int, interactionCounts: [Int]) {
        self.capacity = max(1, capacity)
        state = NIOLockedValueBox(State(ring: Array(repeating: nil, count: max(1, capacity)), calls: interactionCounts.map { Array(repeating: 0, count: $0) }))
    }

    public func record(_ entry: Entry, position: Int?) {
        state.withLockedValue { s in
            s.ring[s.next] = entry
            s.next = (s.next + 1) % s.ring.count
            s.recorded += 1
            if let position, entry.contract < s.calls.count, position < s.calls[entry.contract].count {
                s.calls[entry.contract][position] += 1
            }
        }
    }

    /// The latest entries, oldest first.
    public func entries(limit: Int = .max) -> [Entry] {
        state.withLockedValue { s in
            let ordered = (s.ring[s.next...] + s.ring[..<s.next]).compactMap { $0 }
            return Array(ordered.suffix(max(0, limit)))
        }
    }

    /// Requests recorded since the start or the last reset (including those the ring no longer holds).
    public var recorded: Int { state.withLockedValue { $0.recorded } }

    /// Calls per contract, per interaction position.
    public func calls() -> [[Int]] { state.withLockedValue { $0.calls } }

    public func reset() {
        state.withLockedValue { s in
            s.ring = Array(repeating: nil, count: s.ring.count)
            s.next = 0
            s.recorded = 0
            s.calls = s.calls.map { Array(repeating: 0, count: $0.count) }
        }
    }
}

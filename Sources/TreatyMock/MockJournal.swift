import Atomics
import NIOConcurrencyHelpers
import NIOCore
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

    /// One shard per event loop thread, so that recording never contends across cores; readers merge.
    private let shards: [NIOLockedValueBox<State>]
    public let capacity: Int

    /// `interactionCounts[i]` is the number of interactions of contract `i`.
    public init(capacity: Int, interactionCounts: [Int], shards: Int = 2 * System.coreCount) {
        self.capacity = max(1, capacity)
        let count = max(1, shards)
        let perShard = (self.capacity + count - 1) / count
        self.shards = (0..<count).map { _ in
            NIOLockedValueBox(State(ring: Array(repeating: nil, count: perShard), calls: interactionCounts.map { Array(repeating: 0, count: $0) }))
        }
    }

    private let nextShard = ManagedAtomic<Int>(0)

    /// A shard for a new connection: connections take turns, so loops rarely share one.
    public func assignShard() -> Int { nextShard.loadThenWrappingIncrement(ordering: .relaxed) % shards.count }

    public func record(_ entry: Entry, position: Int?, shard: Int = 0) {
        shards[shard % shards.count].withLockedValue { s in
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
        let all = shards.flatMap { shard in shard.withLockedValue { s in (s.ring[s.next...] + s.ring[..<s.next]).compactMap { $0 } } }
        return Array(all.sorted { $0.time < $1.time }.suffix(max(0, min(limit, capacity))))
    }

    /// Requests recorded since the start or the last reset (including those the ring no longer holds).
    public var recorded: Int { shards.reduce(0) { $0 + $1.withLockedValue { $0.recorded } } }

    /// Calls per contract, per interaction position.
    public func calls() -> [[Int]] {
        var total: [[Int]] = []
        for shard in shards {
            let calls = shard.withLockedValue { $0.calls }
            if total.isEmpty { total = calls; continue }
            for c in calls.indices where c < total.count {
                for p in calls[c].indices where p < total[c].count { total[c][p] += calls[c][p] }
            }
        }
        return total
    }

    /// Sizes the call counts of `contract` for `count` interactions (a contract added or replaced
    /// at run time), starting them at zero.
    public func setInteractions(contract: Int, count: Int) {
        for shard in shards { shard.withLockedValue { s in
            while s.calls.count <= contract { s.calls.append([]) }
            s.calls[contract] = Array(repeating: 0, count: count)
        } }
    }

    public func reset() {
        for shard in shards { shard.withLockedValue { s in
            s.ring = Array(repeating: nil, count: s.ring.count)
            s.next = 0
            s.recorded = 0
            s.calls = s.calls.map { Array(repeating: 0, count: $0.count) }
        } }
    }
}

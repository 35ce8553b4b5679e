#if canImport(Glibc)
import Glibc
#endif
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

    /// One ring for every port and kind, so the journal holds exactly the last `capacity` requests.
    /// Recording is a store under an uncontended lock (the mock runs one event loop by default);
    /// sharding it per loop made the ring keep far fewer than `capacity` when one connection, or
    /// one kind, did all the talking.
    private let state: NIOLockedValueBox<State>
    public let capacity: Int

    /// `interactionCounts[i]` is the number of interactions of contract `i`.
    public init(capacity: Int, interactionCounts: [Int]) {
        self.capacity = max(1, capacity)
        state = NIOLockedValueBox(State(ring: Array(repeating: nil, count: self.capacity),
                                        calls: interactionCounts.map { Array(repeating: 0, count: $0) }))
    }

    /// Seconds since 1970: the one clock of journal entries (formatted only when someone reads them).
    public static func now() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Records what happened now: the request (or call, conversation, datagram) of `contract` and
    /// how it was answered; `position` is the interaction that answered it, counted as a call.
    public func record(contract: Int, method: String, path: String, query: String = "", status: Int, interaction: String?,
                       nearest: String? = nil, mismatches: [Mismatch] = [], position: Int?) {
        record(Entry(time: Self.now(), contract: contract, method: method, path: path, query: query, status: status,
                     interaction: interaction, nearest: nearest, mismatches: mismatches), position: position)
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
        let all = state.withLockedValue { s in (s.ring[s.next...] + s.ring[..<s.next]).compactMap { $0 } }
        return Array(all.suffix(max(0, min(limit, capacity))))
    }

    /// Requests recorded since the start or the last reset (including those the ring no longer holds).
    public var recorded: Int { state.withLockedValue { $0.recorded } }

    /// Calls per contract, per interaction position.
    public func calls() -> [[Int]] { state.withLockedValue { $0.calls } }

    /// Sizes the call counts of `contract` for `count` interactions (a contract added or replaced
    /// at run time), starting them at zero.
    public func setInteractions(contract: Int, count: Int) {
        state.withLockedValue { s in
            while s.calls.count <= contract { s.calls.append([]) }
            s.calls[contract] = Array(repeating: 0, count: count)
        }
    }

    public func reset() {
        state.withLockedValue { s in
            s.ring = Array(repeating: nil, count: s.ring.count)
            s.next = 0
            s.recorded = 0
            s.calls = s.calls.map { Array(repeating: 0, count: $0.count) }
        }
    }
}

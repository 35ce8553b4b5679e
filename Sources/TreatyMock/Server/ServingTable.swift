import NIOConcurrencyHelpers
import NIOCore

/// The contracts being served, by index (the journal's contract number): their ports and
/// responders. Grows when the admin API adds a contract; a slot is reserved before its port is
/// bound so that the index is known to the connections it will accept.
final class ServingTable: Sendable {
    struct Slot: Sendable {
        /// Where it is served; nil until its port is bound (or when binding failed).
        var place: ServedContract?
        var box: ResponderBox
        var listener: (any Channel)?
    }

    private let entries = NIOLockedValueBox<[Slot]>([])

    func slots() -> [Slot] { entries.withLockedValue { $0 } }

    /// A new slot for `box`; its index.
    func reserve(_ box: ResponderBox) -> Int {
        entries.withLockedValue { all in
            all.append(Slot(place: nil, box: box, listener: nil))
            return all.count - 1
        }
    }

    func fill(_ index: Int, place: ServedContract, listener: any Channel) {
        entries.withLockedValue { all in
            all[index].place = place
            all[index].listener = listener
        }
    }

    var listeners: [any Channel] { entries.withLockedValue { $0.compactMap(\.listener) } }
}

import NIOCore
import NIOHTTP1
import TreatyMatching
import TreatyModel

extension MockResponder {
    /// An answer; a class, so that handing out a prepared one costs a single reference count.
    public final class Answer: Sendable {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]
        /// The interaction that matched, nil for a diagnostic answer.
        public let interaction: String?
        /// Its position in the contract.
        public let position: Int?
        /// For a diagnostic answer, the nearest interaction's name.
        public let nearest: String?
        /// Mismatches of the nearest interaction when nothing matched.
        public let mismatches: [Mismatch]
        /// How the answer goes out.
        let mode: Mode

        init(status: Int, headers: [(name: String, value: String)], body: [UInt8], interaction: String?, mismatches: [Mismatch],
             mode: Mode = .deliver(.rendered, delay: nil), position: Int? = nil, nearest: String? = nil) {
            self.status = status
            self.headers = headers
            self.body = body
            self.interaction = interaction
            self.position = position
            self.nearest = nearest
            self.mismatches = mismatches
            self.mode = mode
        }
    }

    /// How an answer goes out: the one decision the connection handler acts on.
    enum Mode: Sendable {
        /// Written after `delay` milliseconds (drawn per request from the range), or at once.
        case deliver(Delivery, delay: ClosedRange<Int>?)
        /// Held until its time, trigger or call, then delivered (long polls).
        case hold(HoldPlan)
        /// Answered `101`, then the WebSocket conversation is played.
        case upgrade(WebSocketInteraction)

        /// The mode for an answer with `behaviour`: its fault replaces the delivery, its delay
        /// comes first.
        static func deliver(_ delivery: Delivery, _ behaviour: MockBehaviour?) -> Mode {
            .deliver(behaviour?.fault.map(Delivery.fault) ?? delivery, delay: behaviour?.delay)
        }
    }

    /// What is written.
    enum Delivery: Sendable {
        /// Bytes built once when the contract loaded (the common case).
        case prepared(WireAnswer)
        /// The answer's status, headers and body, built for this request (generators, diagnostics).
        case rendered
        /// The head, then the events with their gaps (SSE).
        case stream(EventStream)
        /// A fault played instead of the answer; it always ends the connection.
        case fault(MockBehaviour.Fault)
    }
}

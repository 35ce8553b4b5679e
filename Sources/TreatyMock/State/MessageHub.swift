import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Consumers subscribed to a contract's messages: `GET /_treaty/messages` on the contract's port
/// opens an event stream, and each message published (admin API, `treaty publish`) goes to every
/// subscriber as an event named after its interaction. Subscribers are written on their own event
/// loops; a subscriber that went is dropped.
public final class MessageHub: Sendable {
    public static let path = "/_treaty/messages"

    private struct Subscriber {
        let contract: Int
        let channel: any Channel
        /// WebSocket subscribers get the contents alone (one text frame); SSE ones an event.
        let frames: Bool
        let write: @Sendable (ByteBuffer) -> Void
    }

    private let subscribers = NIOLockedValueBox<[ObjectIdentifier: Subscriber]>([:])
    private let sequence = NIOLockedValueBox(0)

    public init() {}

    /// How many subscribe to `contract` (all contracts when nil).
    public func count(contract: Int? = nil) -> Int {
        subscribers.withLockedValue { all in all.values.filter { contract == nil || $0.contract == contract }.count }
    }

    func subscribe(_ channel: any Channel, contract: Int, frames: Bool = false, write: @escaping @Sendable (ByteBuffer) -> Void) {
        let id = ObjectIdentifier(channel)
        subscribers.withLockedValue { $0[id] = Subscriber(contract: contract, channel: channel, frames: frames, write: write) }
        channel.closeFuture.whenComplete { [weak self] _ in self?.subscribers.withLockedValue { _ = $0.removeValue(forKey: id) } }
    }

    /// Sends a message to every subscriber of `contract`; how many it went to.
    @discardableResult
    public func publish(contract: Int, event: String, data: String) -> Int {
        let id = sequence.withLockedValue { n -> Int in
            n += 1
            return n
        }
        var text = "event: \(event.filter { $0 != "\n" && $0 != "\r" })\nid: \(id)\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        text += "\n"
        let targets = subscribers.withLockedValue { all in all.values.filter { $0.contract == contract } }
        let event = ByteBuffer(string: text), contents = ByteBuffer(string: data)
        for subscriber in targets {
            let bytes = subscriber.frames ? contents : event
            subscriber.channel.eventLoop.execute { subscriber.write(bytes) }
        }
        return targets.count
    }
}

import Foundation
import NIOCore
import TreatyMatching
import TreatyModel

/// Answers a contract's `udp` interactions on a datagram channel: a datagram picks the first
/// interaction whose request it matches, and each response goes back to its sender (with the
/// request's `echo` bytes in their places). A datagram that matches nothing is logged and not answered.
final class UDPResponder: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    struct Exchange: Sendable {
        let position: Int
        let name: String
        let udp: UDPInteraction
    }

    private let box: ResponderBox
    private let journal: MockJournal?
    private let contractIndex: Int
    private let verbose: Bool
    private let log: @Sendable (String) -> Void

    /// The exchanges of the contract as served now (a reload or the admin API may replace it).
    private var exchanges: [Exchange] { box.current.udpExchanges }

    init(box: ResponderBox, journal: MockJournal?, contractIndex: Int, verbose: Bool, log: @escaping @Sendable (String) -> Void) {
        self.box = box
        self.journal = journal
        self.contractIndex = contractIndex
        self.verbose = verbose
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var envelope = unwrapInboundIn(data)
        let request = envelope.data.readBytes(length: envelope.data.readableBytes) ?? []
        let sender = "\(envelope.remoteAddress)"
        var nearest: (Exchange, [Mismatch], Int)?
        for exchange in exchanges {
            let mismatches = SocketMatching.match(exchange.udp.request, request, at: "$.request")
            guard mismatches.isEmpty else {
                let shared = SocketMatching.sharedPrefix(exchange.udp.request.exampleBytes, request)
                if nearest == nil || shared > nearest!.2 { nearest = (exchange, mismatches, shared) }
                continue
            }
            if verbose { log("udp \(SocketText.preview(request, limit: 60)) from \(sender) → \"\(exchange.name)\"") }
            for response in exchange.udp.responses {
                let bytes = SocketMatching.answer(response, request: request, echo: exchange.udp.echo)
                var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)), promise: nil)
            }
            context.flush()
            journal?.record(contract: contractIndex, method: "UDP", path: sender, status: 200, interaction: exchange.name,
                            position: exchange.position)
            return
        }
        log("unmatched udp datagram from \(sender): \(SocketText.preview(request))"
            + (nearest.map { " (nearest \"\($0.0.name)\": \($0.1.first?.message ?? ""))" } ?? "") + "; not answered")
        journal?.record(contract: contractIndex, method: "UDP", path: sender, status: 404, interaction: nil, nearest: nearest?.0.name,
                        mismatches: nearest?.1 ?? [], position: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is GracefulShutdown {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket outlives errors such as ICMP port unreachable from a client gone.
        if verbose { log("udp: " + ConnectionErrorText.describe(error, fallback: "error")) }
    }
}

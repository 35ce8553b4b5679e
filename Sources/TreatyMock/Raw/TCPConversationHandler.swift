import Foundation
import NIOCore
import TreatyMatching
import TreatyModel

/// Plays the server's side of a contract's `tcp` conversations on one connection. A message from
/// the client picks the conversation whose first step it matches (in contract order); the server's
/// steps follow with their delays; when a conversation ends the next message picks again, so a
/// client may run several (Redis clients send command after command). A conversation that starts
/// with the server is the greeting: its server steps are played when the connection opens, and the
/// client's next message either continues it or starts any other conversation. A message that matches
/// nothing, a message over the limit, or a step that does not come `within` its bound ends the
/// connection, with a log line and a journal entry saying what came.
final class TCPConversationHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Script: Sendable {
        let position: Int
        let name: String
        let tcp: TCPInteraction
    }

    private let scripts: [Script]
    private var reader: SocketFrameReader
    private let journal: MockJournal?
    private let contractIndex: Int
    private let verbose: Bool
    private let log: @Sendable (String) -> Void
    private let idleTimeout: Double

    private var active: (script: Script, step: Int)?
    private var sending = false
    private var closed = false
    private var idleTimer: Scheduled<Void>?
    private var quietTimer: Scheduled<Void>?
    private var withinTimer: Scheduled<Void>?
    private var peer = "client"
    /// The greeting conversation after its opening server steps: the client's first message may
    /// continue it (or start another conversation).
    private var resumable: (script: Script, step: Int)?
    /// The step the `within` timer watches (-1: none).
    private var withinStep = -1
    /// Inside a read burst (writes wait for its end to be flushed), and whether some did.
    private var reading = false
    private var unflushed = false

    init(scripts: [Script], journal: MockJournal?, contractIndex: Int, verbose: Bool, idleTimeout: Double, log: @escaping @Sendable (String) -> Void) {
        self.scripts = scripts
        let first = scripts.first?.tcp
        reader = SocketFrameReader(framing: first?.framing ?? .line(delimiter: [0x0A]), limit: first?.maximumMessageBytes ?? (1 << 20))
        self.journal = journal
        self.contractIndex = contractIndex
        self.verbose = verbose
        self.idleTimeout = idleTimeout
        self.log = log
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress.map { "\($0)" } ?? "client"
        armIdle(context)
        if let greeting = scripts.first(where: { $0.tcp.conversation.first?.side == .server }) {
            active = (greeting, 0)
            run(context)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        for timer in [idleTimer, quietTimer, withinTimer] { timer?.cancel() }
        if let active, active.step > 0 || reader.pendingBytes > 0 {
            log("tcp \"\(active.script.name)\": \(peer) left at step \(active.step + 1) of \(active.script.tcp.conversation.count)")
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closed else { return }
        reading = true
        var buffer = unwrapInboundIn(data)
        armIdle(context)
        do {
            try reader.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        } catch {
            return end(context, "tcp: \(peer) sent \(error); closing", interaction: nil, nearest: active?.script.name, mismatches: [])
        }
        if case .idle(let ms) = reader.framing {
            // A message is what came before the connection went quiet.
            quietTimer?.cancel()
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            quietTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(ms))) {
                let (handler, context) = bound.value
                handler.reader.quiet()
                handler.run(context)
            }
            return
        }
        run(context)
    }

    /// Plays as far as the messages received allow.
    private func run(_ context: ChannelHandlerContext) {
        while !closed, !sending {
            guard let (script, index) = active else {
                guard reader.readyCount > 0 else { return }
                guard pick(context) else { return }
                continue
            }
            if index > 0, index < script.tcp.conversation.count, script.tcp.conversation[index].side == .client,
               script.tcp.conversation[index - 1].side == .server, script.tcp.conversation[..<index].allSatisfy({ $0.side == .server }) {
                // The greeting is out: the client may go on with it or start another conversation.
                resumable = (script, index)
                active = nil
                if reader.readyCount == 0 { armWithin(context, script.tcp.conversation[index], script: script, index: index) }
                continue
            }
            guard index < script.tcp.conversation.count else {
                record(script, mismatches: [])
                if verbose { log("tcp \"\(script.name)\": conversation with \(peer) done") }
                active = nil
                continue
            }
            let step = script.tcp.conversation[index]
            switch step.side {
            case .server:
                let bytes = reader.framing.frame(step.payload.exampleBytes)
                if step.afterMilliseconds > 0 {
                    sending = true
                    let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
                    _ = context.eventLoop.scheduleTask(in: .milliseconds(Int64(step.afterMilliseconds))) {
                        let (handler, context) = bound.value
                        handler.sending = false
                        guard !handler.closed else { return }
                        handler.write(context, bytes)
                        handler.active = (script, index + 1)
                        handler.run(context)
                    }
                    return
                }
                write(context, bytes)
                active = (script, index + 1)
            case .client:
                guard let (message, units) = reader.judgeable(step) else {
                    armWithin(context, step, script: script, index: index)
                    return
                }
                withinTimer?.cancel()
                withinStep = -1
                let mismatches = SocketMatching.match(step.payload, message, at: "$.conversation[\(index)]")
                guard mismatches.isEmpty else {
                    return end(context, "tcp \"\(script.name)\": step \(index + 1) does not match: " + mismatches.map(\.message).joined(separator: "; ") + "; closing",
                               interaction: nil, nearest: script.name, mismatches: mismatches)
                }
                reader.take(units)
                active = (script, index + 1)
            }
        }
    }

    /// Picks the conversation the next message starts; false when more bytes are needed (or the
    /// connection was ended because nothing matches).
    private func pick(_ context: ChannelHandlerContext) -> Bool {
        var waiting = false
        var nearest: (Script, [Mismatch], Int)?
        let resumed = resumable
        resumable = nil
        withinTimer?.cancel()
        withinStep = -1
        let candidates = (resumed.map { [($0.script, $0.step)] } ?? []) + scripts.map { ($0, 0) }
        for (script, start) in candidates {
            guard start < script.tcp.conversation.count else { continue }
            let first = script.tcp.conversation[start]
            guard first.side == .client else { continue }
            guard let (message, units) = reader.peek(first) else {
                // More lines may complete it, unless those that came already differ from its example.
                if reader.couldStillComplete(first) { waiting = true }
                continue
            }
            let mismatches = SocketMatching.match(first.payload, message, at: "$.conversation[\(start)]")
            if mismatches.isEmpty {
                reader.take(units)
                active = (script, start + 1)
                if verbose { log("tcp \(SocketText.preview(message, limit: 60)) from \(peer) → \"\(script.name)\"") }
                return true
            }
            // The nearest: the one whose example shares the longest beginning with what came.
            let shared = SocketMatching.sharedPrefix(first.payload.exampleBytes, message)
            if nearest == nil || shared > nearest!.2 { nearest = (script, mismatches, shared) }
        }
        if waiting {
            resumable = resumed
            return false
        }
        let came = reader.peek(1) ?? reader.leftover
        end(context, "unmatched tcp message from \(peer): \(SocketText.preview(came))"
            + (nearest.map { " (nearest \"\($0.0.name)\": \($0.1.first?.message ?? ""))" } ?? "") + "; closing",
            interaction: nil, nearest: nearest?.0.name, mismatches: nearest?.1 ?? [])
        return false
    }

    /// Writes a framed message; flushed when the read that caused it is done (pipelined commands
    /// get their answers in one write), or at once from a timer.
    private func write(_ context: ChannelHandlerContext, _ bytes: [UInt8]) {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(buffer), promise: nil)
        if reading { unflushed = true } else { context.flush() }
        armIdle(context)  // the server talking is activity too
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    private func armWithin(_ context: ChannelHandlerContext, _ step: SocketStep, script: Script, index: Int) {
        guard let within = step.withinMilliseconds, withinStep != index else { return }
        withinStep = index
        withinTimer?.cancel()
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        withinTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(within))) {
            let (handler, context) = bound.value
            // Still waiting for that step: in the conversation, or right after the greeting.
            let inConversation = handler.active.map { $0.step == index && $0.script.name == script.name } ?? false
            let afterGreeting = handler.active == nil && handler.resumable.map { $0.step == index && $0.script.name == script.name } == true
            guard !handler.closed, inConversation || afterGreeting else { return }
            handler.end(context, "tcp \"\(script.name)\": step \(index + 1) did not come within \(within) ms (had \(SocketText.preview(handler.reader.leftover))); closing",
                        interaction: nil, nearest: script.name, mismatches: [])
        }
    }

    private func armIdle(_ context: ChannelHandlerContext) {
        idleTimer?.cancel()
        guard idleTimeout > 0 else { return }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(idleTimeout * 1000))) {
            let (handler, context) = bound.value
            guard !handler.closed else { return }
            if handler.verbose || handler.active != nil { handler.log("tcp: \(handler.peer) idle for \(handler.idleTimeout) s; closing") }
            handler.closed = true
            context.close(promise: nil)
        }
    }

    private func end(_ context: ChannelHandlerContext, _ message: String, interaction: String?, nearest: String? = nil, mismatches: [Mismatch]) {
        guard !closed else { return }
        log(message)
        journal?.record(contract: contractIndex, method: "TCP", path: peer, status: 404, interaction: interaction, nearest: nearest,
                        mismatches: mismatches, position: nil)
        closed = true
        // Answers to the messages before this one go out first.
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.close(promise: nil)
    }

    private func record(_ script: Script, mismatches: [Mismatch]) {
        journal?.record(contract: contractIndex, method: "TCP", path: peer, status: 200, interaction: script.name, mismatches: mismatches,
                        position: script.position)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is GracefulShutdown, active == nil || active?.step == 0 {
            closed = true
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if verbose { log("tcp: \(peer): " + ConnectionErrorText.describe(error, fallback: "connection closed")) }
        closed = true
        context.close(promise: nil)
    }
}

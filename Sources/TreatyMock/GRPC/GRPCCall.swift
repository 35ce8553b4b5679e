import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import TreatyMatching
import TreatyModel
import TreatyWire

/// Serves one gRPC call on one HTTP/2 stream, frame by frame, so the mock controls the wire:
/// length-prefixed messages (gzip when the client allows it), metadata, trailers, trailers-only
/// errors, `grpc-timeout` deadlines and per-message timing. Also answers grpc.health.v1.Health and
/// server reflection (v1 and v1alpha) from the contract's descriptors.
///
/// Unary, client-streaming and server-streaming calls are matched once the client half-closes;
/// a bidirectional call answers while the client still sends: response message i goes out once
/// `afterRequests` (default i + 1) request messages have come and matched.
///
/// Calls are served on the connection's pipeline, not on a child channel per stream: the
/// connection handler (`GRPCConnectionHandler`) hands each call its frames, and it writes frames
/// for its stream. A child channel per call (pipeline, activation, close) cost more than the call.
final class GRPCCall {
    let streamID: HTTP2StreamID

    /// What one call may send in all: a client-streaming call is judged when the client is done,
    /// so its messages are kept until then; past these it gets RESOURCE_EXHAUSTED.
    static let maximumCallBytes = 16 * 1024 * 1024
    static let maximumCallMessages = 10_000

    private let box: ResponderBox
    private let journal: MockJournal?
    private let contractIndex: Int
    private let verbose: Bool
    /// How long a call that sends one request message may take to send it (`--request-timeout`).
    private let requestTimeout: TimeAmount
    private let log: @Sendable (String) -> Void

    /// Who answers the call: the contract's interactions, or a service the mock serves itself.
    private enum Route {
        case contract, healthCheck, healthWatch, reflection
    }

    /// The contract's calls as served when the call began (set with `route`).
    private var table: GRPCTable?
    private var route: Route?
    private var path = ""
    private var metadata: [(name: String, value: String)] = []
    private var compressResponses = false
    /// The request's bytes, cut into messages (shared with the verifier's reader of answers).
    private var reader = GRPCFraming.Reader()
    /// The request messages so far, decoded (what the contract's patterns are matched against).
    private var received: [JSONNode] = []
    /// How many request messages came, and their bytes in all (before decompression).
    private var receivedCount = 0
    private var receivedTotal = 0
    /// The first request message's bytes, for the health service (which reads only that one).
    private var firstMessage: [UInt8]?
    /// Interactions still consistent with what came (bidirectional calls narrow as messages come).
    private var candidates: [GRPCTable.Entry] = []
    private var chosen: GRPCTable.Entry?
    private var chosenBytes: [[UInt8]] = []
    private var nextResponse = 0
    private var headersSent = false
    private var finished = false
    private var clientDone = false
    /// A response message is waiting for its `after` delay; later ones queue behind it.
    private var sending = false
    private var timers: [Scheduled<Void>] = []
    private var needsFlush = false

    init(streamID: HTTP2StreamID, box: ResponderBox, journal: MockJournal?, contractIndex: Int, verbose: Bool,
         requestTimeout: TimeAmount = .seconds(10), log: @escaping @Sendable (String) -> Void) {
        self.streamID = streamID
        self.requestTimeout = requestTimeout
        self.box = box
        self.journal = journal
        self.contractIndex = contractIndex
        self.verbose = verbose
        self.log = log
    }

    /// The stream closed (the call ended, the client reset it, or the connection went away).
    func closed() {
        finished = true
        cancelTimers()
    }

    private func cancelTimers() {
        for timer in timers { timer.cancel() }
        timers.removeAll()
    }

    var pendingFlush: Bool { needsFlush }

    /// True once, when the call wrote frames that still need a flush (done once per read burst).
    func takeNeedsFlush() -> Bool {
        defer { needsFlush = false }
        return needsFlush
    }

    private func flushIfNeeded(_ context: ChannelHandlerContext) {
        guard needsFlush else { return }
        needsFlush = false
        context.flush()
    }

    private func write(_ context: ChannelHandlerContext, _ payload: HTTP2Frame.FramePayload) {
        context.write(NIOAny(HTTP2Frame(streamID: streamID, payload: payload)), promise: nil)
    }

    /// Keeps the client's stream window open as the call reads its messages (what a child
    /// channel would do): tops the window up once it falls below half.
    func inboundWindow(_ size: Int, context: ChannelHandlerContext) {
        let target = 65_535
        // Only what the call will still accept: past its limits the window stays shut (and the
        // call fails with RESOURCE_EXHAUSTED as soon as a message says so).
        guard !finished, size < target / 2, receivedTotal + reader.pendingBytes < Self.maximumCallBytes else { return }
        write(context, .windowUpdate(windowSizeIncrement: target - size))
        needsFlush = true
    }

    func receive(_ payload: HTTP2Frame.FramePayload, context: ChannelHandlerContext) {
        switch payload {
        case .headers(let headers):
            if route == nil && !finished {
                begin(context: context, headers.headers)
            }
            // Request trailers carry nothing gRPC uses; they end the stream.
            if headers.endStream { clientFinished(context: context) }
        case .data(let frame):
            guard !finished else { return }
            if case .byteBuffer(let bytes) = frame.data { reader.append(bytes.readableBytesView) }
            readMessages(context: context)
            if frame.endStream { clientFinished(context: context) }
        case .rstStream:
            finished = true
            cancelTimers()
        default:
            break
        }
    }

    // MARK: the call starts

    private func begin(context: ChannelHandlerContext, _ headers: HPACKHeaders) {
        path = headers.first(name: ":path") ?? ""
        metadata = headers.filter { !$0.name.hasPrefix(":") }.map { (name: $0.name, value: $0.value) }
        let contentType = headers.first(name: "content-type") ?? ""
        guard headers.first(name: ":method") == "POST" else {
            return fail(context: context, .unimplemented, "gRPC calls are POST requests", http: 405)
        }
        guard contentType.hasPrefix("application/grpc") else {
            return fail(context: context, .unknown, "content-type \"\(contentType)\" is not application/grpc", http: 415)
        }
        if let encoding = headers.first(name: "grpc-encoding"), encoding != "identity" {
            guard encoding == "gzip" else {
                return fail(context: context, .unimplemented, "grpc-encoding \"\(encoding)\" is not supported (gzip and identity are)")
            }
            reader.gzipAllowed = true
        }
        compressResponses = (headers.first(name: "grpc-accept-encoding") ?? "").split(separator: ",")
            .contains { $0.trimmingCharacters(in: .whitespaces) == "gzip" }
        if let timeout = headers.first(name: "grpc-timeout") {
            guard let nanoseconds = Self.timeout(timeout) else {
                return fail(context: context, .internalError, "malformed grpc-timeout \"\(timeout)\"")
            }
            let bound = NIOLoopBound((call: self, context: context), eventLoop: context.eventLoop)
            let deadline = context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                let (call, context) = bound.value
                guard !call.finished else { return }
                call.record(status: .deadlineExceeded, interaction: call.chosen?.name, mismatches: [])
                call.sendTrailers(context: context, status: .deadlineExceeded, message: "treaty: the call's deadline (grpc-timeout \(timeout)) passed",
                                  details: nil, extra: [])
                call.flushIfNeeded(context)
            }
            timers.append(deadline)
        }
        guard let table = box.current.grpc else {
            return fail(context: context, .unimplemented, "this contract has no gRPC service (no \"protobuf\" descriptors)")
        }
        self.table = table
        switch path {
        case "/\(GRPCTable.health)/Check": route = .healthCheck
        case "/\(GRPCTable.health)/Watch": route = .healthWatch
        case "/\(GRPCTable.reflectionV1)/ServerReflectionInfo", "/\(GRPCTable.reflectionV1Alpha)/ServerReflectionInfo": route = .reflection
        default:
            guard let entries = table.calls[path], !entries.isEmpty else {
                let known = table.transcoder.pool.method(path: path) != nil
                record(status: .unimplemented, interaction: nil, mismatches: [])
                return fail(context: context, .unimplemented, known
                    ? "treaty: the contract has no interaction for \(path.dropFirst())"
                    : "treaty: unknown method \(path.dropFirst()) (not in the contract's descriptors)")
            }
            candidates = entries
            route = .contract
        }
        // A call that sends one request message must send it, and end its half, within
        // --request-timeout, as an HTTP request must: a client that sends half a call cannot hold
        // the stream (and with it the connection) forever. Client-streaming calls send as they like.
        // The timer is armed only if the request is still coming when the read burst that began
        // the call ends (`armRequestTimer`): most calls arrive whole in one burst and need none.
        let streamsRequests = route == .reflection || (route == .contract && candidates.first?.call.clientStreaming == true)
        requestDeadline = streamsRequests ? nil : context.eventLoop.now + requestTimeout
    }

    /// When a call that sends one request message must have sent it (nil: not timed, or armed).
    private var requestDeadline: NIODeadline?

    /// Called when a read burst ends: a timed call whose request has not ended gets its timer.
    func armRequestTimer(context: ChannelHandlerContext) {
        guard let deadline = requestDeadline else { return }
        requestDeadline = nil
        guard !finished, !clientDone else { return }
        let bound = NIOLoopBound((call: self, context: context), eventLoop: context.eventLoop)
        let limit = requestTimeout
        timers.append(context.eventLoop.scheduleTask(deadline: deadline) {
            let (call, context) = bound.value
            guard !call.finished, !call.clientDone else { return }
            call.record(status: .deadlineExceeded, interaction: nil, mismatches: [])
            call.fail(context: context, .deadlineExceeded,
                      "treaty: the request did not arrive whole within --request-timeout (\(limit.nanoseconds / 1_000_000) ms)")
            call.flushIfNeeded(context)
        })
    }

    /// `grpc-timeout`: up to 8 digits and a unit (H, M, S, m, u, n), in nanoseconds. Eight digits of
    /// hours (about 11,000 years) do not fit an Int64 of nanoseconds: a deadline past
    /// `maximumTimeoutNanoseconds` is clamped to it, as the gRPC spec lets a server do with a
    /// deadline it cannot represent.
    static func timeout(_ text: String) -> Int64? {
        guard let unit = text.last, text.count >= 2, text.count <= 9,
              text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(text.dropLast()) else { return nil }
        let scale: Int64
        switch unit {
        case "H": scale = 3_600_000_000_000
        case "M": scale = 60_000_000_000
        case "S": scale = 1_000_000_000
        case "m": scale = 1_000_000
        case "u": scale = 1_000
        case "n": scale = 1
        default: return nil
        }
        let (nanoseconds, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? maximumTimeoutNanoseconds : min(nanoseconds, maximumTimeoutNanoseconds)
    }

    /// The longest deadline the mock schedules: 100 years, far beyond any call, and far from
    /// NIODeadline's overflow.
    static let maximumTimeoutNanoseconds: Int64 = 100 * 365 * 86_400 * 1_000_000_000

    // MARK: messages in

    private func readMessages(context: ChannelHandlerContext) {
        while !finished, let length = reader.announcedLength {
            let bytes: [UInt8]
            do throws(GRPCFraming.ReadError) {
                guard let message = try reader.next() else { return }
                bytes = message
            } catch {
                switch error {
                case .compressedWithoutEncoding:
                    return fail(context: context, .internalError, "treaty: a compressed message without grpc-encoding")
                case .undecompressable(let reason):
                    return fail(context: context, .internalError, "treaty: request message \(receivedCount + 1): \(reason)")
                case .tooLarge(let announced):
                    record(status: .resourceExhausted, interaction: nil, mismatches: [])
                    return fail(context: context, .resourceExhausted,
                                "treaty: a request message of \(announced) bytes is over the limit of \(GRPCFraming.maximumMessageBytes)")
                }
            }
            guard receivedCount < Self.maximumCallMessages, receivedTotal + length <= Self.maximumCallBytes else {
                record(status: .resourceExhausted, interaction: nil, mismatches: [])
                return fail(context: context, .resourceExhausted,
                            "treaty: the call sent more than \(Self.maximumCallMessages) messages or \(Self.maximumCallBytes) bytes; "
                                + "the mock keeps a call's messages until it is judged")
            }
            receivedCount += 1
            receivedTotal += length
            if receivedCount == 1, route == .healthCheck || route == .healthWatch { firstMessage = bytes }
            message(context: context, bytes)
        }
    }

    private func message(context: ChannelHandlerContext, _ bytes: [UInt8]) {
        guard let route, let table else { return }
        switch route {
        case .reflection:
            send(context: context, table.reflect(bytes))
        case .healthCheck, .healthWatch:
            break  // answered when the client is done (Check) or right away (Watch, below)
        case .contract:
            guard let type = candidates.first?.call.inputType else { return }
            do {
                received.append(try table.transcoder.decode(bytes, as: type, options: .includeDefaults))
            } catch {
                record(status: .internalError, interaction: nil, mismatches: [])
                return fail(context: context, .internalError, "treaty: request message \(received.count + 1) is not a valid \(type): \(error.message)")
            }
            if candidates.first?.call.clientStreaming == true && candidates.first?.call.serverStreaming == true { narrowBidirectional(context: context) }
        }
        if route == .healthWatch, receivedCount == 1 {
            let service = GRPCTable.healthRequest(bytes) ?? ""
            send(context: context, GRPCTable.healthResponse(table.health(of: service) ?? 3))  // 3: SERVICE_UNKNOWN; the stream stays open
        }
    }

    /// A bidirectional call answers as it goes: keep the interactions whose first messages match,
    /// and send the chosen one's responses that are due.
    private func narrowBidirectional(context: ChannelHandlerContext) {
        let remaining = candidates.filter { GRPCMatching.matchRequest($0.call, metadata: metadata, messages: received, complete: false).isEmpty }
        guard !remaining.isEmpty else { return unmatched(context: context) }
        candidates = remaining
        if chosen == nil, let table { choose(remaining[0], table) }
        pump(context: context)
    }

    private func choose(_ entry: GRPCTable.Entry, _ table: GRPCTable) {
        chosen = entry
        chosenBytes = table.responseBytes(entry, path: path)
        if verbose { log("grpc \(path) → \"\(entry.name)\"") }
    }

    // MARK: the client is done

    private func clientFinished(context: ChannelHandlerContext) {
        guard !clientDone else { return }
        clientDone = true
        guard !finished, let route, let table else { return }
        if reader.pendingBytes > 0 {
            return fail(context: context, .internalError, "treaty: the request ended inside a message (\(reader.pendingBytes) bytes of a frame)")
        }
        switch route {
        case .reflection:
            sendTrailers(context: context, status: .ok, message: nil, details: nil, extra: [])
        case .healthWatch:
            break  // open until the client cancels
        case .healthCheck:
            let service = firstMessage.flatMap(GRPCTable.healthRequest) ?? ""
            guard let status = table.health(of: service) else {
                return fail(context: context, .notFound, "unknown service \(service)")
            }
            send(context: context, GRPCTable.healthResponse(status))
            sendTrailers(context: context, status: .ok, message: nil, details: nil, extra: [])
        case .contract:
            if let current = chosen {
                // Bidirectional: the interaction chosen on the first messages must have got all of them;
                // before anything was sent, another one that matches the whole call may take over.
                if !GRPCMatching.matchRequest(current.call, metadata: metadata, messages: received, complete: true).isEmpty {
                    guard nextResponse == 0, let better = candidates.first(where: {
                        GRPCMatching.matchRequest($0.call, metadata: metadata, messages: received, complete: true).isEmpty
                    }) else { return unmatched(context: context) }
                    choose(better, table)
                }
            } else {
                guard let match = candidates.first(where: {
                    GRPCMatching.matchRequest($0.call, metadata: metadata, messages: received, complete: true).isEmpty
                }) else { return unmatched(context: context) }
                choose(match, table)
            }
            record(status: chosen!.call.status, interaction: chosen!.name, position: chosen!.position, mismatches: [])
            pump(context: context)
        }
    }

    private func unmatched(context: ChannelHandlerContext) {
        // The nearest: the candidate with the fewest mismatches.
        let judged = candidates.map { ($0, GRPCMatching.matchRequest($0.call, metadata: metadata, messages: received, complete: clientDone)) }
        let best = judged.min { $0.1.count < $1.1.count }
        let nearest = best?.0, problems = best?.1 ?? []
        record(status: .notFound, interaction: nil, nearest: nearest?.name, mismatches: problems)
        log("unmatched grpc \(path)" + (nearest.map { " (nearest \"\($0.name)\")" } ?? "") + ": "
            + problems.prefix(3).map(\.description).joined(separator: "; "))
        let summary = problems.first.map { "; " + $0.description } ?? ""
        fail(context: context, .notFound, "treaty: no interaction matches this call to \(path.dropFirst())"
             + (nearest.map { " (nearest: \"\($0.name)\")" } ?? "") + summary)
    }

    // MARK: answers out

    /// Sends the chosen interaction's response messages that are due, each after its delay, and
    /// the trailers once they are all out and the client is done (or the call streams no more).
    private func pump(context: ChannelHandlerContext) {
        guard let entry = chosen, !sending, !finished else { return }
        let call = entry.call
        let bidirectional = call.clientStreaming && call.serverStreaming
        if nextResponse < call.responses.count {
            let message = call.responses[nextResponse]
            let threshold = message.afterRequests ?? (bidirectional ? min(nextResponse + 1, call.requests.count) : call.requests.count)
            guard clientDone || received.count >= threshold else { return }
            let bytes = chosenBytes[nextResponse]
            nextResponse += 1
            if message.afterMilliseconds > 0 {
                sending = true
                let bound = NIOLoopBound((call: self, context: context), eventLoop: context.eventLoop)
                let timer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(message.afterMilliseconds))) {
                    let (call, context) = bound.value
                    call.sending = false
                    guard !call.finished else { return }
                    call.send(context: context, bytes)
                    call.pump(context: context)
                    call.flushIfNeeded(context)
                }
                timers.append(timer)
            } else {
                send(context: context, bytes)
                pump(context: context)
            }
            return
        }
        guard clientDone else { return }
        sendTrailers(context: context, status: call.status, message: nil, details: nil, extra: [], prepared: entry.trailers)
    }

    static func value(_ spec: HeaderSpec) -> String {
        spec.values.compactMap { $0.example.stringValue }.joined(separator: ", ")
    }

    private static let plainHeaders = GRPCTable.responseHeaders([], gzip: false)
    private static let gzipHeaders = GRPCTable.responseHeaders([], gzip: true)

    /// The response header block: the chosen interaction's, prepared once, or the bare one.
    private func responseHeaders() -> HPACKHeaders {
        if let chosen { return compressResponses ? chosen.headers.gzip : chosen.headers.plain }
        return compressResponses ? Self.gzipHeaders : Self.plainHeaders
    }

    private func send(context: ChannelHandlerContext, _ message: [UInt8]) {
        guard !finished else { return }
        if !headersSent {
            headersSent = true
            write(context, .headers(.init(headers: responseHeaders())))
        }
        let frame = context.channel.allocator.buffer(bytes: GRPCFraming.frame(message, compress: compressResponses))
        // Flushed once the read that caused it is done (or by the trailers), not per message.
        write(context, .data(.init(data: .byteBuffer(frame))))
        needsFlush = true
    }

    /// Ends the call: trailers after messages, or one trailers-only header block.
    private func sendTrailers(context: ChannelHandlerContext, status: GRPCStatus, message: String?, details: String?,
                              extra: [(String, String)], prepared: HPACKHeaders? = nil) {
        guard !finished else { return }
        finished = true
        cancelTimers()
        var trailers = prepared ?? GRPCTable.trailers(status: status, message: message, details: details, extra: extra)
        if !headersSent {
            // Trailers-only: one block with the response headers and the status.
            var block = responseHeaders()
            block.add(contentsOf: trailers)
            trailers = block
        }
        // Flushed with everything else written in this read burst (or by the timer that got here).
        write(context, .headers(.init(headers: trailers, endStream: true)))
        needsFlush = true
    }

    private func fail(context: ChannelHandlerContext, _ status: GRPCStatus, _ message: String, http: Int = 200) {
        guard !finished else { return }
        if http != 200, !headersSent {
            finished = true
            cancelTimers()
            let headers = HPACKHeaders([(":status", String(http)), ("content-type", "text/plain"), ("grpc-status", String(status.code)),
                                        ("grpc-message", GRPCStatusMessage.encode(message))])
            write(context, .headers(.init(headers: headers, endStream: true)))
            needsFlush = true
            return
        }
        sendTrailers(context: context, status: status, message: message, details: nil, extra: [])
    }

    private func record(status: GRPCStatus, interaction: String?, position: Int? = nil, nearest: String? = nil, mismatches: [Mismatch]) {
        guard let journal else { return }
        journal.record(contract: contractIndex, method: "GRPC", path: path, status: status.code, interaction: interaction, nearest: nearest,
                       mismatches: mismatches, position: position)
    }
}


import CCurlShim
import Foundation
import TreatyMatching
import TreatyModel
import TreatyWire

#if canImport(Glibc)
import Glibc
#endif

/// The verifier's side of a WebSocket conversation: RFC 6455 over a raw libcurl connection
/// (`CURLOPT_CONNECT_ONLY`; this libcurl has no WebSocket support): the upgrade handshake with
/// `Sec-WebSocket-Accept` checked, masked client frames, fragmented and control frames from the
/// server, pings answered, the close handshake. Blocking, bounded by deadlines: run it on a thread
/// of its own.
final class WebSocketClient {
    enum Failure: Error {
        case transport(TransportError)
        case mismatch([Mismatch])
    }

    private let connection: CurlConnection
    private var buffer: [UInt8] = []
    private var decoder: WebSocketFrameDecoder
    /// Frames read while waiting for something else (a pong), kept for the next step.
    private var queued: [WebSocketMatcher.Frame] = []
    private static let maximumMessageBytes = 16 << 20
    private(set) var log = ExchangeLog()
    let url: String

    init(url: String, masked: Set<String>) throws(TransportError) {
        connection = try CurlConnection(url: url)
        self.url = url
        decoder = WebSocketFrameDecoder(maximumMessageBytes: Self.maximumMessageBytes)
        log.masked = masked
    }

    /// Connects, upgrades and plays `steps`; the mismatches (empty when the conversation went as written).
    func converse(_ request: HTTPRequestData, subprotocol: String?, steps: [WebSocketStep], options: TransportOptions) -> Result<[Mismatch], TransportError> {
        do throws(Failure) {
            try connect(options)
            try handshake(request, subprotocol: subprotocol, timeout: options.timeout)
            var previous = DispatchTime.now()
            for (index, step) in steps.enumerated() {
                let path = "$.conversation[\(index)]"
                switch step.side {
                case .client:
                    if step.afterMilliseconds > 0 { Thread.sleep(forTimeInterval: Double(step.afterMilliseconds) / 1000) }
                    try send(step.message)
                    if case .ping(let payload) = step.message {
                        // The server must answer the ping with a pong carrying the same payload.
                        let pong = try receive(until: deadline(step, options), expecting: "a pong", pong: true)
                        if pong != .pong(payload) {
                            return .success([Mismatch(path: path, expected: "pong", actual: pong.summary, rule: "pong",
                                                      message: "expected a pong answering the ping, got \(pong.summary)")])
                        }
                    }
                    if case .close = step.message {
                        // The server echoes the close (RFC 6455 §5.5.1).
                        let echo = try receive(until: deadline(step, options), expecting: "the close echo")
                        guard case .close = echo else {
                            return .success([Mismatch(path: path, expected: "close", actual: echo.summary, rule: "close",
                                                      message: "expected the server to answer the close, got \(echo.summary)")])
                        }
                        return .success([])
                    }
                case .server:
                    let frame = try receive(until: deadline(step, options), expecting: "step \(index + 1) (\(step.message.kindName))")
                    let mismatches = WebSocketMatcher.match(frame, step.message, at: path)
                    if !mismatches.isEmpty { return .success(mismatches) }
                    if let within = step.withinMilliseconds {
                        let waited = Int((DispatchTime.now().uptimeNanoseconds - previous.uptimeNanoseconds) / 1_000_000)
                        if waited > within {
                            return .success([Mismatch(path: path, expected: "within \(within) ms", actual: "after \(waited) ms", rule: "timing",
                                                      message: "step \(index + 1) came after \(waited) ms, expected within \(within) ms")])
                        }
                    }
                    if case .close(let code, _) = step.message {
                        try? send(.close(code: code, reason: ""))  // echo, then done
                        return .success([])
                    }
                }
                previous = .now()
            }
            // The conversation is over: close politely.
            try? send(.close(code: 1000, reason: "done"))
            _ = try? receive(until: .now() + .milliseconds(500), expecting: "the close echo")
            return .success([])
        } catch {
            switch error {
            case .transport(let error): return .failure(error)
            case .mismatch(let mismatches): return .success(mismatches)
            }
        }
    }

    /// What one JSON-RPC exchange over a WebSocket came to.
    enum Exchange {
        /// The answer's text (nil: none came, as for a notification).
        case answer([UInt8]?)
        /// The upgrade or the protocol went wrong.
        case mismatches([Mismatch])
    }

    /// JSON-RPC over a WebSocket: upgrade, send `text` as one text frame, read the answer (or, for a
    /// notification, make sure none comes within half a second), close.
    func exchange(_ request: HTTPRequestData, text: String, expectAnswer: Bool, options: TransportOptions) -> Result<Exchange, TransportError> {
        do throws(Failure) {
            try connect(options)
            try handshake(request, subprotocol: nil, timeout: options.timeout)
            try send(.text(.string(text)))
            var answer: [UInt8]?
            if expectAnswer {
                let frame = try receive(until: .now() + .milliseconds(Int(options.timeout * 1000)), expecting: "the JSON-RPC answer")
                guard case .text(let reply) = frame else {
                    return .success(.mismatches([Mismatch(path: "$", expected: "a text frame", actual: frame.summary, rule: "type",
                                                          message: "expected the answer as a text frame, got \(frame.summary)")]))
                }
                answer = Array(reply.utf8)
            } else if case .text(let reply)? = try? receive(until: .now() + .milliseconds(500), expecting: "nothing") {
                answer = Array(reply.utf8)
            }
            try? send(.close(code: 1000, reason: "done"))
            return .success(.answer(answer))
        } catch {
            switch error {
            case .transport(let error): return .failure(error)
            case .mismatch(let mismatches): return .success(.mismatches(mismatches))
            }
        }
    }

    private func deadline(_ step: WebSocketStep, _ options: TransportOptions) -> DispatchTime {
        .now() + .milliseconds(Int((step.withinMilliseconds.map { Double($0) / 1000 + 1 } ?? options.timeout) * 1000))
    }

    // MARK: connection

    private func connect(_ options: TransportOptions) throws(Failure) {
        // A ws:// or wss:// base is reached as http:// or https:// (the upgrade is HTTP/1.1; RFC 8441 over HTTP/2 is not spoken).
        var target = url
        if target.hasPrefix("ws://") { target = "http://" + target.dropFirst(5) }
        if target.hasPrefix("wss://") { target = "https://" + target.dropFirst(6) }
        do throws(TransportError) { try connection.connect(target, options: options) } catch { throw .transport(error) }
    }

    private func write(_ bytes: [UInt8], until deadline: DispatchTime) throws(Failure) {
        let sent: Bool
        do throws(TransportError) { sent = try connection.send(bytes, until: deadline) } catch { throw .transport(error) }
        if !sent { throw Self.late("to send") }
    }

    /// Reads more bytes into the buffer; throws when the connection closed or the deadline passed.
    private func readMore(until deadline: DispatchTime, what: String) throws(Failure) {
        let received: CurlConnection.Received
        do throws(TransportError) { received = try connection.receive(until: deadline) } catch { throw .transport(error) }
        switch received {
        case .bytes(let bytes): buffer += bytes
        case .timedOut: throw Self.late(what)
        case .closed:
            throw .mismatch([Mismatch(path: "$.conversation", expected: what, actual: "the connection closed", rule: "conversation",
                                      message: "expected \(what); the server closed the connection")])
        }
    }

    private static func late(_ what: String) -> Failure {
        .mismatch([Mismatch(path: "$.conversation", expected: what, actual: "nothing in time", rule: "timing",
                            message: "expected \(what); nothing came in time")])
    }

    // MARK: handshake

    private func handshake(_ request: HTTPRequestData, subprotocol: String?, timeout: Double) throws(Failure) {
        var key = [UInt8](repeating: 0, count: 16)
        for i in key.indices { key[i] = UInt8.random(in: 0...255) }
        let keyText = Data(key).base64EncodedString()
        let host = URL(string: url.replacingOccurrences(of: "ws://", with: "http://").replacingOccurrences(of: "wss://", with: "https://"))
        let hostHeader = (host?.host ?? "localhost") + (host?.port.map { ":\($0)" } ?? "")
        // A path in --base-url (http://host/api) prefixes the contract's path, as for HTTP requests.
        var prefix = host?.path ?? ""
        while prefix.hasSuffix("/") { prefix.removeLast() }
        let target = prefix + (request.path.isEmpty ? "/" : request.path) + (request.query.isEmpty ? "" : "?" + request.query)
        var lines = ["GET \(target) HTTP/1.1",
                     "Host: \(hostHeader)", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: \(keyText)",
                     "Sec-WebSocket-Version: 13"]
        if let subprotocol { lines.append("Sec-WebSocket-Protocol: \(subprotocol)") }
        let reserved: Set<String> = ["host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version"]
        for (name, value) in request.headers where !reserved.contains(name.lowercased()) { lines.append("\(name): \(value)") }
        let sent = HTTPRequestData(method: "GET", target: target,
                                   headers: lines.dropFirst().map { line in
                                       let colon = line.firstIndex(of: ":")!
                                       return (String(line[..<colon]), String(line[line.index(colon, offsetBy: 2)...]))
                                   })
        log.request(sent, url: (host.map { "\($0.scheme ?? "http")://\(hostHeader)" } ?? url) + target)
        let deadline = DispatchTime.now() + .milliseconds(Int(timeout * 1000))
        try write(Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8), until: deadline)
        while true {
            if let end = buffer.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                let headLines = head.components(separatedBy: "\r\n")
                let status = headLines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                var headers: [(String, String)] = []
                for line in headLines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                }
                func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
                log.line("< \(status)")
                for (name, value) in headers { log.line("< \(name): \(value)") }
                guard status == 101 else {
                    throw .mismatch([Mismatch(path: "$.status", expected: "101", actual: String(status), rule: "upgrade",
                                              message: "expected the upgrade (101 Switching Protocols), got \(status)")])
                }
                let expectedAccept = WebSocketHandshake.accept(keyText)
                var mismatches: [Mismatch] = []
                if header("Sec-WebSocket-Accept") != expectedAccept {
                    mismatches.append(Mismatch(path: "$.headers.Sec-WebSocket-Accept", expected: expectedAccept,
                                               actual: header("Sec-WebSocket-Accept") ?? "none", rule: "upgrade",
                                               message: "Sec-WebSocket-Accept does not answer the key (RFC 6455 §4.2.2)"))
                }
                if let subprotocol, header("Sec-WebSocket-Protocol") != subprotocol {
                    mismatches.append(Mismatch(path: "$.headers.Sec-WebSocket-Protocol", expected: subprotocol,
                                               actual: header("Sec-WebSocket-Protocol") ?? "none", rule: "equality",
                                               message: "expected subprotocol \"\(subprotocol)\", got " + (header("Sec-WebSocket-Protocol").map { "\"\($0)\"" } ?? "none")))
                }
                if !mismatches.isEmpty { throw .mismatch(mismatches) }
                return
            }
            guard buffer.count < 64 << 10 else {
                throw .transport(TransportError(kind: .malformedResponse, message: "\(url): the upgrade answer's head is over 64 KiB"))
            }
            try readMore(until: deadline, what: "the upgrade answer")
        }
    }

    // MARK: frames

    private func send(_ message: WebSocketStep.Message) throws(Failure) {
        let opcode: UInt8
        switch message {
        case .text, .json: opcode = 0x1
        case .binary: opcode = 0x2
        case .ping: opcode = 0x9
        case .close: opcode = 0x8
        }
        let payload = message.exampleBytes
        switch message {
        case .close(let code, let reason): log.line("> close \(code)" + (reason.isEmpty ? "" : " \(reason)"))
        case .binary: log.line("> binary (\(payload.count) bytes)")
        default: log.line("> \(message.kindName) " + String(decoding: payload.prefix(500), as: UTF8.self))
        }
        var frame: [UInt8] = [0x80 | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8(truncatingIfNeeded: payload.count >> shift)) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame, until: .now() + .seconds(10))
    }

    /// The next message (or the pong, when `pong` is set): pings are answered on the way, fragments
    /// reassembled, server frames that are masked or malformed are protocol errors.
    private func receive(until deadline: DispatchTime, expecting what: String, pong: Bool = false) throws(Failure) -> WebSocketMatcher.Frame {
        if !pong, let index = queued.firstIndex(where: { if case .pong = $0 { false } else { true } }) { return queued.remove(at: index) }
        while true {
            guard let (fin, opcode, payload) = try nextFrame(until: deadline, what: what) else { continue }
            switch opcode {
            case 0x9:
                log.line("< ping " + String(decoding: payload.prefix(125), as: UTF8.self))
                try sendControl(0xA, payload)
                if what.contains("ping") { return .ping(payload) }
            case 0xA:
                log.line("< pong " + String(decoding: payload.prefix(125), as: UTF8.self))
                if pong { return .pong(payload) }
            case 0x8:
                let frame = WebSocketFrameDecoder.close(payload)
                log.line("< \(frame.summary)")
                return frame
            case 0x1, 0x2, 0x0:
                let message: WebSocketMatcher.Frame?
                do { message = try decoder.message(from: .init(fin: fin, opcode: opcode, payload: payload)) } catch {
                    throw .transport(TransportError(kind: error.kind, message: "\(url): \(error.message)"))
                }
                guard let frame = message else { continue }
                log.line("< \(frame.summary)")
                if pong {
                    queued.append(frame)
                    continue
                }
                return frame
            default:
                throw .transport(TransportError(kind: .protocolError, message: "\(url): a frame with the unknown opcode \(opcode)"))
            }
        }
    }

    private func sendControl(_ opcode: UInt8, _ payload: [UInt8]) throws(Failure) {
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        let frame = [0x80 | opcode, 0x80 | UInt8(min(payload.count, 125))] + mask
            + payload.prefix(125).enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame, until: .now() + .seconds(10))
    }

    /// One frame from the buffer (reading as needed): fin, opcode, unmasked payload.
    private func nextFrame(until deadline: DispatchTime, what: String) throws(Failure) -> (Bool, UInt8, [UInt8])? {
        while true {
            do {
                if let (frame, size) = try decoder.frame(in: buffer[...]) {
                    buffer.removeSubrange(..<size)
                    return (frame.fin, frame.opcode, frame.payload)
                }
            } catch {
                throw .transport(TransportError(kind: error.kind, message: "\(url): \(error.message)"))
            }
            try readMore(until: deadline, what: what)
        }
    }
}

/// Hands a non-Sendable value to the one thread that will use it from then on.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
}

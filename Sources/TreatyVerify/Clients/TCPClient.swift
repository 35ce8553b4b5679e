import Foundation
import TreatyMatching
import TreatyModel

/// The verifier's side of a raw TCP conversation: a libcurl connection in `CURLOPT_CONNECT_ONLY`
/// mode, `curl_easy_send` / `curl_easy_recv` with `poll` on its socket, messages cut by the
/// contract's framing. Blocking, bounded by deadlines: run it on a thread of its own.
final class TCPClient {
    private let connection: CurlConnection
    private let url: String
    private(set) var log = ExchangeLog()
    private let started = DispatchTime.now()

    /// `tcp://host:port` (or any URL with a host and port).
    init(base: String) throws(TransportError) {
        connection = try CurlConnection(url: base)
        url = base
    }

    private var elapsedMilliseconds: Int { Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000) }

    enum Failure: Error {
        case transport(TransportError)
        case mismatch([Mismatch])
    }

    /// Plays `tcp`'s conversation after reading the server's `greeting` (the opening server steps
    /// every connection gets, from the contract's conversation that starts with the server).
    func converse(_ tcp: TCPInteraction, greeting: [SocketStep] = [], options: TransportOptions) -> Result<[Mismatch], TransportError> {
        var reader = SocketFrameReader(framing: tcp.framing, limit: tcp.maximumMessageBytes)
        do throws(Failure) {
            try connect(options)
            log.line("# connected to \(url) (\(tcp.framing.summary))")
            var previous = DispatchTime.now()
            let steps = greeting.map { ("$.greeting", $0) } + tcp.conversation.map { ("$.conversation", $0) }
            for (position, (section, step)) in steps.enumerated() {
                let index = section == "$.greeting" ? position : position - greeting.count
                let path = "\(section)[\(index)]"
                if position == greeting.count, !greeting.isEmpty { log.line("# the greeting came; the conversation starts") }
                switch step.side {
                case .client:
                    if step.afterMilliseconds > 0 { Thread.sleep(forTimeInterval: Double(step.afterMilliseconds) / 1000) }
                    let bytes = tcp.framing.frame(step.payload.exampleBytes)
                    log.line("> [\(elapsedMilliseconds) ms] \(SocketText.preview(bytes, limit: 300))")
                    try write(bytes, until: .now() + .milliseconds(Int(options.timeout * 1000)))
                case .server:
                    let bound = step.withinMilliseconds.map { Double($0) / 1000 } ?? options.timeout
                    let deadline = DispatchTime.now() + .milliseconds(Int(bound * 1000))
                    let message = try receive(&reader, until: deadline, index: index, path: path, step: step, bound: bound)
                    log.line("< [\(elapsedMilliseconds) ms] \(SocketText.preview(message, limit: 300))")
                    let mismatches = SocketMatching.match(step.payload, message, at: path)
                    if !mismatches.isEmpty {
                        return .success(mismatches.map { m in
                            var m = m
                            m.message = "step \(index + 1), \(elapsedMilliseconds) ms in: " + m.message
                            return m
                        })
                    }
                    if let within = step.withinMilliseconds {
                        let waited = Int((DispatchTime.now().uptimeNanoseconds - previous.uptimeNanoseconds) / 1_000_000)
                        if waited > within {
                            return .success([Mismatch(path: path, expected: "within \(within) ms", actual: "\(waited) ms", rule: "within",
                                                      message: "step \(index + 1) came \(waited) ms after the previous one, over \(within) ms")])
                        }
                    }
                }
                previous = .now()
            }
            return .success([])
        } catch {
            switch error {
            case .transport(let error): return .failure(error)
            case .mismatch(let mismatches): return .success(mismatches)
            }
        }
    }

    /// Reads until the framing gives the step's message: its example's number of lines, or the
    /// lines up to the first that matches its `until` (one message for other framings). A message
    /// read `until` a line is judged as soon as that line comes, however many came before it; lines
    /// that differ from a literal example as soon as they come.
    private func receive(_ reader: inout SocketFrameReader, until deadline: DispatchTime, index: Int, path: String, step: SocketStep,
                         bound: Double) throws(Failure) -> [UInt8] {
        let expected = SocketText.preview(step.payload.exampleBytes, limit: 80)
        while true {
            // Lines that already differ from a literal example are judged at once: more cannot make them match.
            if let (message, units) = reader.judgeable(step) {
                reader.take(units)
                return message
            }
            if case .idle(let ms) = reader.framing, reader.pendingBytes > 0 {
                // Idle framing: the message ends when nothing more comes for its quiet time.
                if try !readSome(into: &reader, until: min(deadline, .now() + .milliseconds(ms)), path: path, expected: expected, quietIsEnd: true) {
                    reader.quiet()
                }
                continue
            }
            guard try readSome(into: &reader, until: deadline, path: path, expected: expected, quietIsEnd: false) else {
                let had = reader.leftover
                throw .mismatch([Mismatch(path: path, expected: expected, actual: had.isEmpty ? "nothing" : SocketText.preview(had),
                                          rule: "timing", message: "step \(index + 1): expected \(expected) within \(Int(bound * 1000)) ms; "
                                              + (had.isEmpty ? "nothing came" : "only \(SocketText.preview(had)) came") + " (\(elapsedMilliseconds) ms in)")])
            }
        }
    }

    /// Reads what is there; false when the deadline passed first. A closed connection or a message
    /// over the limit is a mismatch saying so.
    private func readSome(into reader: inout SocketFrameReader, until deadline: DispatchTime, path: String, expected: String,
                          quietIsEnd: Bool) throws(Failure) -> Bool {
        let received: CurlConnection.Received
        do throws(TransportError) { received = try connection.receive(until: deadline) } catch { throw .transport(error) }
        switch received {
        case .timedOut:
            return false
        case .closed:
            if quietIsEnd { return false }
            let had = reader.leftover
            throw .mismatch([Mismatch(path: path, expected: expected, actual: "the connection closed" + (had.isEmpty ? "" : " after \(SocketText.preview(had))"),
                                      rule: "conversation", message: "expected \(expected); the server closed the connection"
                                          + (had.isEmpty ? "" : " after sending \(SocketText.preview(had))") + " (\(elapsedMilliseconds) ms in)")])
        case .bytes(let bytes):
            do {
                try reader.append(bytes)
            } catch {
                throw .mismatch([Mismatch(path: path, expected: expected, actual: "\(error)", rule: "size", message: "the server sent \(error)")])
            }
            return true
        }
    }

    private func connect(_ options: TransportOptions) throws(Failure) {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            throw .transport(TransportError(kind: .invalidURL, message: "\(url): a tcp base URL is tcp://HOST:PORT"))
        }
        let target = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        do throws(TransportError) {
            try connection.connect(target, options: options)
        } catch {
            // Named as the contract's base URL, not the http:// form curl was given.
            throw .transport(TransportError(kind: error.kind, message: error.message.replacingOccurrences(of: target, with: url)))
        }
    }

    private func write(_ bytes: [UInt8], until deadline: DispatchTime) throws(Failure) {
        let sent: Bool
        do throws(TransportError) { sent = try connection.send(bytes, until: deadline) } catch { throw .transport(error) }
        if !sent { throw .transport(TransportError(kind: .timeout, message: "\(url): could not send within --timeout")) }
    }
}

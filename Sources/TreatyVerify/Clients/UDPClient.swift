import Foundation
import TreatyMatching
import TreatyModel

#if canImport(Glibc)
import Glibc
#endif

/// The verifier's side of a UDP exchange (libcurl has no UDP): a connected datagram socket sends
/// the request, waits `timeout` for the answers, sends again up to `retries` times while nothing
/// came, and matches what came. Blocking: run it on a thread of its own.
final class UDPClient {
    private let url: String
    private(set) var log = ExchangeLog()

    init(base: String) { url = base }

    func exchange(_ udp: UDPInteraction) -> Result<[Mismatch], TransportError> {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            return .failure(TransportError(kind: .invalidURL, message: "\(url): a udp base URL is udp://HOST:PORT"))
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else {
            return .failure(TransportError(kind: .nameResolution, message: "\(url): cannot resolve \(host)"))
        }
        defer { freeaddrinfo(found) }
        let fd = Glibc.socket(address.pointee.ai_family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return .failure(TransportError(kind: .other, message: "\(url): no datagram socket (errno \(errno))")) }
        defer { close(fd) }
        guard Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            return .failure(TransportError(kind: .connectionRefused, message: "\(url): cannot connect a datagram socket (errno \(errno))"))
        }
        let request = udp.request.exampleBytes
        let started = DispatchTime.now()
        func elapsed() -> Int { Int((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000) }
        var answers: [[UInt8]] = []
        var attempts = 0
        var refused = false
        while attempts <= udp.retries, answers.count < max(1, udp.responses.count) {
            attempts += 1
            log.line("> [\(elapsed()) ms] datagram \(attempts) of at most \(udp.retries + 1): \(SocketText.preview(request, limit: 300))")
            guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
                return .failure(TransportError(kind: .other, message: "\(url): could not send the datagram (errno \(errno))"))
            }
            let deadline = DispatchTime.now() + .milliseconds(udp.timeoutMilliseconds)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while answers.count < max(1, udp.responses.count) {
                let left = Int(deadline.uptimeNanoseconds) - Int(DispatchTime.now().uptimeNanoseconds)
                guard left > 0 else { break }
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, Int32(left / 1_000_000 + 1)) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n < 0 {
                    // ECONNREFUSED: an ICMP "port unreachable" came back; nothing listens there.
                    if errno == ECONNREFUSED {
                        refused = true
                        break
                    }
                    continue
                }
                answers.append(Array(buffer[..<n]))
                log.line("< [\(elapsed()) ms] \(SocketText.preview(answers.last!, limit: 300))")
            }
            if !answers.isEmpty || udp.responses.isEmpty || refused { break }
        }
        if udp.responses.isEmpty {
            return .success(answers.isEmpty ? [] : [Mismatch(path: "$.responses", expected: "no answer", actual: SocketText.preview(answers[0]), rule: "count",
                                                            message: "expected no answer, got \(SocketText.preview(answers[0]))")])
        }
        if refused && answers.isEmpty {
            return .failure(TransportError(kind: .connectionRefused, message: "\(url): the port refused the datagram (ICMP port unreachable): nothing listens there"))
        }
        if answers.isEmpty {
            let why = "nothing came"
            return .success([Mismatch(path: "$.responses[0]", expected: SocketText.preview(udp.responses[0].exampleBytes, limit: 80), actual: "nothing",
                                      rule: "timing", message: "sent the request \(attempts) time(s), \(udp.timeoutMilliseconds) ms apart: \(why) (\(elapsed()) ms in)")])
        }
        var mismatches: [Mismatch] = []
        if answers.count < udp.responses.count {
            mismatches.append(Mismatch(path: "$.responses", expected: "\(udp.responses.count) datagrams", actual: "\(answers.count)", rule: "count",
                                       message: "expected \(udp.responses.count) datagrams, got \(answers.count) within \(udp.timeoutMilliseconds) ms"))
        }
        for (i, (payload, answer)) in zip(udp.responses, answers).enumerated() {
            let path = "$.responses[\(i)]"
            mismatches += SocketMatching.matchEcho(request: request, response: answer, ranges: udp.echo, at: path)
            // The echoed bytes are checked above; the payload's own bytes there stand for any.
            let expected = SocketMatching.withoutEcho(payload, udp.echo)
            mismatches += SocketMatching.match(expected, answer, at: path)
        }
        return .success(mismatches)
    }
}

import Testing
import TreatyTestSupport
import TreatyMatching
@testable import TreatyModel

/// Framing, payload matching and the tcp/udp contract format.
@Suite struct SocketTests {
    @Test func lineFramingCutsLinesAndJoinsMultiLineSteps() throws {
        var reader = SocketFrameReader(framing: .line(delimiter: Array("\r\n".utf8)), limit: 64)
        try reader.append(Array("*1\r\n$4\r\nPI".utf8))
        #expect(reader.readyCount == 2 && reader.peek(3) == nil)
        try reader.append(Array("NG\r\nextra".utf8))
        #expect(reader.peek(3) == Array("*1\r\n$4\r\nPING".utf8))
        reader.take(3)
        #expect(reader.readyCount == 0 && reader.leftover == Array("extra".utf8))
        #expect(SocketFraming.line(delimiter: Array("\r\n".utf8)).units(of: Array("*1\r\n$4\r\nPING".utf8)) == 3)
        // A line that never ends is refused once it passes the limit.
        #expect(throws: SocketFrameReader.Failure.tooLarge(announced: 70, limit: 64)) { try reader.append([UInt8](repeating: 0x41, count: 65)) }
    }

    /// An SMTP reply of any number of lines ends at the first line with a code and a space; a
    /// step without `until` still counts its example's lines.
    @Test func untilEndsAMessageAtTheFirstLineThatMatches() throws {
        let crlf = Array("\r\n".utf8)
        let until = Pattern.matcher(Matcher(rule: .regex(try RegexPattern("\\d{3}( .*)?"), example: "250 HELP")))
        let step = SocketStep(side: .server, payload: .text(.string("250-a\r\n250 HELP")), until: until)
        var reader = SocketFrameReader(framing: .line(delimiter: crlf), limit: 1024)
        try reader.append(Array("250-mail.example\r\n250-SIZE 1000\r\n250-8BITMIME\r\n".utf8))
        #expect(reader.units(for: step) == nil)  // three lines, none ends the reply
        try reader.append(Array("250 HELP\r\n221 next".utf8))
        let (message, units) = try #require(reader.peek(step))
        #expect(units == 4 && message == Array("250-mail.example\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250 HELP".utf8))
        reader.take(units)
        #expect(reader.readyCount == 0)
        // A one-line reply is a message at once, though the example has two lines.
        var short = SocketFrameReader(framing: .line(delimiter: crlf), limit: 1024)
        try short.append(Array("250 OK\r\n".utf8))
        #expect(short.peek(step)?.message == Array("250 OK".utf8))
        // Without until: the example's two lines.
        #expect(short.units(for: SocketStep(side: .server, payload: .text(.string("250-a\r\n250 HELP")))) == nil)
        // A literal terminator is compared with the whole line (a message body up to a lone ".").
        var body = SocketFrameReader(framing: .line(delimiter: crlf), limit: 1024)
        try body.append(Array("Subject: hi\r\n\r\n..dots\r\n.\r\n".utf8))
        #expect(body.units(for: SocketStep(side: .client, payload: .text(.string("x\r\n.")), until: .string("."))) == 4)
    }

    /// Fewer lines than a literal example that already differ from it are judged at once; lines
    /// that begin it, or a matcher's, wait for the rest.
    @Test func linesThatCannotBecomeALiteralStepAreJudgedAtOnce() throws {
        let crlf = Array("\r\n".utf8)
        let literal = SocketStep(side: .server, payload: .text(.string("250-mail.example\r\n250-8BITMIME\r\n250 HELP")))
        var reader = SocketFrameReader(framing: .line(delimiter: crlf), limit: 1024)
        try reader.append(Array("250-mail.example\r\n".utf8))
        #expect(reader.couldStillComplete(literal) && reader.judgeable(literal) == nil)
        var short = SocketFrameReader(framing: .line(delimiter: crlf), limit: 1024)
        try short.append(Array("250 tiny.test\r\n".utf8))
        #expect(!short.couldStillComplete(literal))
        let came = try #require(short.judgeable(literal))
        #expect(came.message == Array("250 tiny.test".utf8) && came.units == 1)
        let pattern = Pattern.matcher(Matcher(rule: .regex(try RegexPattern("250[\\s\\S]*"), example: "250-a\r\n250 b")))
        #expect(short.judgeable(SocketStep(side: .server, payload: .text(pattern))) == nil)  // a matcher is judged whole
    }

    @Test func untilIsCheckedAgainstItsExampleAndTheFraming() {
        func diagnostics(_ framing: String, _ step: String) -> [String] {
            let result = load(#"{"name": "smtp", "tcp": {"framing": \#(framing), "conversation": [{"client": "EHLO x"}, \#(step)]}}"#)
            let checks = result.contract.map(ContractChecker.check) ?? []
            return (result.diagnostics + checks).filter { $0.severity == .error }.map { "\($0.pointer.map { "\($0)" } ?? ""): \($0.message)" }
        }
        let until = #""until": {"$regex": "\\d{3}( .*)?", "example": "250 OK"}"#
        #expect(diagnostics(#"{"line": "\r\n"}"#, #"{"server": "250-a\r\n250 OK", \#(until)}"#).isEmpty)
        #expect(diagnostics(#"{"line": "\r\n"}"#, #"{"server": "250-a\r\n250 OK\r\n250-b", \#(until)}"#) == [
            #"/interactions/0/tcp/conversation/1/until: in interaction "smtp": line 2 of the example, "250 OK", matches "until", so the message would end there, before its 3 lines"#])
        #expect(diagnostics(#"{"line": "\r\n"}"#, #"{"server": "250-a\r\n250-b", \#(until)}"#) == [
            #"/interactions/0/tcp/conversation/1/until: in interaction "smtp": the example's last line, "250-b", does not match "until", so the message would not end"#])
        #expect(diagnostics(#"{"length": 2}"#, #"{"server": "250 OK", \#(until)}"#) == [
            #"/interactions/0/tcp/conversation/1/until: "until" applies to line framing (it ends a message at the first line that matches); this conversation has 2-byte big-endian length prefix"#])
        #expect(diagnostics(#"{"line": "\r\n"}"#, #"{"server": "250 OK", "until": ["250 OK"]}"#).first?.hasPrefix("/interactions/0/tcp/conversation/1/until:") == true)
    }

    @Test func lengthFixedAndIdleFraming() throws {
        var big = SocketFrameReader(framing: .length(bytes: 2, bigEndian: true), limit: 1024)
        try big.append([0x00, 0x03, 0x61, 0x62])
        #expect(big.peek(1) == nil)
        try big.append([0x63, 0x00])
        #expect(big.peek(1) == Array("abc".utf8))
        #expect(SocketFraming.length(bytes: 2, bigEndian: true).frame([1, 2]) == [0, 2, 1, 2])
        #expect(SocketFraming.length(bytes: 4, bigEndian: false).frame([9]) == [1, 0, 0, 0, 9])
        var little = SocketFrameReader(framing: .length(bytes: 4, bigEndian: false), limit: 100)
        #expect(throws: SocketFrameReader.Failure.tooLarge(announced: 0x0100_0000, limit: 100)) { try little.append([0, 0, 0, 1]) }
        var fixed = SocketFrameReader(framing: .fixed(2), limit: 100)
        try fixed.append([1, 2, 3])
        #expect(fixed.peek(1) == [1, 2] && fixed.pendingBytes == 1)
        var idle = SocketFrameReader(framing: .idle(milliseconds: 10), limit: 100)
        try idle.append([1, 2, 3])
        #expect(idle.peek(1) == nil)
        idle.quiet()
        #expect(idle.peek(1) == [1, 2, 3])
    }

    @Test func payloadsMatchTextBytesPrefixesAndMasks() {
        #expect(SocketMatching.match(.text(.string("+PONG")), Array("+PONG".utf8), at: "$").isEmpty)
        let text = SocketMatching.match(.text(.string("+PONG")), Array("-ERR\r\n".utf8), at: "$.conversation[1]")
        #expect(text.first?.message == #"expected "+PONG", got "-ERR\r\n""#)
        #expect(SocketMatching.match(.text(.string("x")), [0xFF, 0xFE], at: "$").first?.rule == "text")
        #expect(SocketMatching.match(.bytes([1, 2], prefix: true, mask: nil), [1, 2, 3], at: "$").isEmpty)
        #expect(SocketMatching.match(.bytes([1, 2], prefix: false, mask: nil), [1, 2, 3], at: "$").first?.rule == "length")
        #expect(SocketMatching.match(.bytes([0x12, 0x34, 0x01], prefix: false, mask: [0, 0, 0xFF]), [0xAB, 0xCD, 0x01], at: "$").isEmpty)
        let masked = SocketMatching.match(.bytes([0x12, 0x34, 0x01], prefix: false, mask: [0, 0, 0xFF]), [0xAB, 0xCD, 0x02], at: "$")
        #expect(masked.first?.message.hasPrefix("bytes differ at offset 2: expected 01, got 02") == true)
        #expect(SocketMatching.matchEcho(request: [1, 2, 3], response: [1, 9, 3], ranges: [EchoRange(offset: 0, length: 2)], at: "$").first?.rule == "echo")
        #expect(SocketMatching.answer(.bytes([0, 0, 7], prefix: false, mask: nil), request: [5, 6, 1], echo: [EchoRange(offset: 0, length: 2)]) == [5, 6, 7])
    }

    /// A DNS-style answer repeats the id (bytes 0–1) and the question (offset 12 to the end of the
    /// query) but not the flags between them: a resolver that randomises letter case (DNS 0x20)
    /// gets its own spelling back.
    @Test func echoRangesCopyTheQuestionButNotTheFlags() {
        let ranges = [EchoRange(offset: 0, length: 2), EchoRange(offset: 12, length: 6, toEnd: true)]
        let example: [UInt8] = [0, 0, 0x81, 0x80] + [UInt8](repeating: 0, count: 8) + [3] + Array("abc".utf8) + [0, 1] + [0xC0, 0x0C]
        let query: [UInt8] = [0xBE, 0xEF, 0x01, 0x00] + [UInt8](repeating: 0, count: 8) + [3] + Array("aBc".utf8) + [0, 1]
        let answer = SocketMatching.answer(.bytes(example, prefix: false, mask: nil), request: query, echo: ranges)
        #expect(answer == [0xBE, 0xEF, 0x81, 0x80] + [UInt8](repeating: 0, count: 8) + [3] + Array("aBc".utf8) + [0, 1] + [0xC0, 0x0C])
        #expect(SocketMatching.matchEcho(request: query, response: answer, ranges: ranges, at: "$").isEmpty)
        // A longer question (to the end of the request) moves what follows it.
        let longer: [UInt8] = [0xBE, 0xEF, 0x01, 0x00] + [UInt8](repeating: 0, count: 8) + [4] + Array("aBcD".utf8) + [0, 1]
        let grown = SocketMatching.answer(.bytes(example, prefix: false, mask: nil), request: longer, echo: ranges)
        #expect(grown.count == example.count + 1 && grown.suffix(2) == [0xC0, 0x0C])
        #expect(SocketMatching.matchEcho(request: longer, response: grown, ranges: ranges, at: "$").isEmpty)
        // A server that lowercases the question fails the echo, naming where.
        var lowered = answer
        lowered[14] = UInt8(ascii: "b")
        let mismatch = SocketMatching.matchEcho(request: query, response: lowered, ranges: ranges, at: "$.responses[0]")
        #expect(mismatch.map(\.message) == ["the 6 bytes from offset 12 must repeat the request's (hex 036142630001), got hex 036162630001, first at offset 14"])
        // The payload's own comparison leaves the echoed bytes to the echo check.
        #expect(SocketMatching.match(SocketMatching.withoutEcho(.bytes(example, prefix: false, mask: nil), ranges), lowered, at: "$").isEmpty)
        #expect(!SocketMatching.match(SocketMatching.withoutEcho(.bytes(example, prefix: false, mask: nil), ranges), lowered.map { $0 == 0x80 ? 0x83 : $0 }, at: "$").isEmpty)
    }

    @Test func echoRangesAreReadAndChecked() throws {
        func udp(_ echo: String) -> ContractLoader.Result {
            load(#"{"name": "a", "udp": {"request": {"hex": "0102 0304 0506"}, "response": {"hex": "0000 8180 0000 0000"}, "echo": \#(echo)}}"#)
        }
        let ranges = try #require(udp(#"[{"from": 4, "to": "end"}, {"from": 0, "length": 2}]"#).contract?.interactions[0].udp?.echo)
        #expect(ranges == [EchoRange(offset: 0, length: 2), EchoRange(offset: 4, length: 2, toEnd: true)])
        #expect(try #require(udp(#"{"from": 2, "to": 4}"#).contract?.interactions[0].udp?.echo) == [EchoRange(offset: 2, length: 2)])
        #expect(try #require(udp("0").contract?.interactions[0].udp?.echo).isEmpty)
        #expect(errors(udp(#"{"from": 4, "length": 3}"#)) == ["/interactions/0/udp/echo: \"echo\" copies 3 bytes from offset 4 of the request, which has 6"])
        #expect(errors(udp(#"{"from": 6, "to": "end"}"#)) == ["/interactions/0/udp/echo/from: \"echo\" starts at offset 6, past the end of the request (6 bytes)"])
        #expect(errors(udp(#"[{"from": 0, "length": 4}, {"from": 2, "length": 2}]"#))
                == ["/interactions/0/udp/echo/1: \"echo\" ranges overlap: 4 bytes and 2 bytes from offset 2"])
        #expect(errors(udp(#"{"from": 3, "to": 2}"#)).first?.contains("\"to\" (2) must be past \"from\" (3)") == true)
        #expect(errors(udp(#"{"from": 1}"#)).first?.contains("give \"to\" or \"length\"") == true)
        #expect(errors(udp(#"{"from": 1, "to": 3, "length": 2}"#)).first?.contains("not both") == true)
        #expect(errors(udp(#""all""#)).first?.contains("\"echo\" is a number of leading bytes") == true)
        let short = load(#"{"name": "a", "udp": {"request": {"hex": "0102 0304 0506"}, "response": {"hex": "0000"}, "echo": {"from": 4, "to": "end"}}}"#)
        #expect(errors(short) == ["/interactions/0/udp/response: \"echo\" copies the bytes from offset 4 to the end (2 in the example) into a response of 2"])
    }

    func load(_ interactions: String) -> ContractLoader.Result {
        ContractLoader().load(Array(#"{"treaty": 1, "consumer": "c", "provider": "p", "interactions": [\#(interactions)]}"#.utf8), file: "c.json")
    }

    func errors(_ result: ContractLoader.Result) -> [String] {
        result.diagnostics.filter { $0.severity == .error }.map { "\($0.pointer.map { "\($0)" } ?? ""): \($0.message)" }
    }

    @Test func theFormatReadsConversationsAndDatagrams() throws {
        let result = load(#"""
            {"name": "ping", "tcp": {"framing": {"line": "\r\n"}, "conversation": [{"client": "PING\r\n"}, {"server": {"text": {"$regex": "^\\+PONG$", "example": "+PONG"}}, "within": "1s"}]}},
            {"name": "dns", "udp": {"request": {"hex": "12 34 01", "mask": "00 00 ff"}, "response": {"base64": "EjSB"}, "echo": 2, "timeout": "200ms", "retries": 1}}
            """#)
        let contract = try #require(result.contract, "\(result.diagnostics)")
        let tcp = try #require(contract.interactions[0].tcp)
        #expect(tcp.conversation[0].payload.exampleBytes == Array("PING".utf8))  // the final delimiter is the sender's
        #expect(tcp.conversation[1].withinMilliseconds == 1000)
        let udp = try #require(contract.interactions[1].udp)
        #expect(udp.responses[0].exampleBytes == [0x12, 0x34, 0x81] && udp.timeoutMilliseconds == 200 && udp.retries == 1 && udp.echo == [EchoRange(offset: 0, length: 2)])
    }

    @Test func badRawContractsAreLocated() {
        #expect(errors(load(#"{"name": "a", "tcp": {"framing": {"length": 3}, "conversation": [{"client": "x"}]}}"#))
                .contains { $0.hasPrefix("/interactions/0/tcp/framing/length: a length prefix is 1, 2 or 4 bytes") })
        #expect(errors(load(#"{"name": "a", "tcp": {"framing": {"fixed": 4}, "conversation": [{"client": "toolong"}]}}"#))
                .contains { $0.contains("every message is 4 bytes; this one is 7") })
        #expect(errors(load(#"{"name": "a", "tcp": {"conversation": [{"client": {"hex": "zz"}}]}}"#))
                .contains { $0.hasPrefix("/interactions/0/tcp/conversation/0/client/hex:") })
        #expect(errors(load(#"{"name": "a", "tcp": {"conversation": [{"client": {"hex": "0102", "mask": "ff"}}]}}"#))
                .contains { $0.contains("\"mask\" is hex of the same length as the bytes (2)") })
        #expect(errors(load(#"{"name": "a", "tcp": {"conversation": [{"talker": "x"}]}}"#)).contains { $0.contains("a step is {\"client\": …}") })
        #expect(errors(load(#"{"name": "a", "udp": {"request": "x", "response": "y", "echo": 3}}"#)).contains { $0.contains("\"echo\" copies 3 bytes of the request, which has 1") })
        #expect(errors(load(#"{"name": "a", "udp": {"request": {"hex": "0102"}, "response": "xy", "echo": 2}}"#))
                .contains { $0.hasPrefix("/interactions/0/udp/response: \"echo\" copies bytes: write the response as \"hex\" or \"base64\"") })
        let idle = load(#"{"name": "a", "tcp": {"framing": {"idle": "50ms"}, "conversation": [{"client": "a"}, {"client": "b"}, {"client": "c", "after": "100ms"}]}}"#)
        #expect(idle.diagnostics.filter { $0.severity == .warning }.map(\.message) == [
            "steps 1 and 2 both come from the client: with idle framing they arrive as one message unless the second has an \"after\" longer than 50 ms"])
        // Raw and HTTP interactions do not share a port; tcp interactions share one framing.
        #expect(errors(load(#"{"name": "a", "udp": {"request": "x"}}, {"name": "b", "http": {"request": {"path": "/"}, "response": {"status": 200}}}"#))
                .contains { $0.contains("interaction \"b\" is http, but this contract has tcp or udp interactions") })
        #expect(errors(load(#"{"name": "a", "tcp": {"conversation": [{"client": "x"}]}}, {"name": "b", "tcp": {"framing": "idle", "conversation": [{"client": "y"}]}}"#))
                .contains { $0.contains("the tcp interactions of a contract share one framing") })
    }
}

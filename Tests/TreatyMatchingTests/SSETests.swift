import Testing
import TreatyTestSupport
import TreatyMatching
import TreatyModel

/// The event-stream parser against the HTML standard's rules, fed in every possible split.
@Suite struct SSETests {
    func events(_ text: String, chunk: Int = .max) -> [SSEParser.Event] {
        var parser = SSEParser()
        let bytes = Array(text.utf8)
        var out: [SSEParser.Event] = []
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + chunk)
            out += parser.feed(bytes[i..<end], at: Double(i))
            i = end
        }
        return out
    }

    @Test func linesEndWithCRLFOrLFOrCRAndChunksCanSplitAnywhere() {
        let text = "\u{FEFF}event: status\r\nid: 7\rdata: one\ndata:two\r\n\r\n: a comment\n\ndata: three\r\r"
        let whole = events(text)
        #expect(whole.map(\.type) == ["status", "message"])
        #expect(whole.map(\.data) == ["one\ntwo", "three"])
        #expect(whole.map(\.id) == ["7", "7"])  // the last event ID carries over
        for size in 1...8 {
            let split = events(text, chunk: size)
            #expect(split.map(\.data) == whole.map(\.data), "chunks of \(size)")
            #expect(split.map(\.type) == whole.map(\.type), "chunks of \(size)")
        }
    }

    @Test func fieldsFollowTheStandard() {
        // No space after the colon; a line without a colon is a field with an empty value; unknown fields ignored;
        // retry with anything but digits ignored; an event with no data is not dispatched; id with NUL ignored.
        let parsed = events("data:x\nretry: 12a\nfoo: bar\n\nid: 9\nevent: lone\n\ndata\n\nretry: 3000\ndata: y\nid: a\u{0}b\n\n")
        #expect(parsed.map(\.data) == ["x", "", "y"])
        #expect(parsed.map(\.retry) == [nil, nil, 3000])
        #expect(parsed.map(\.id) == [nil, "9", "9"])
        #expect(parsed.map(\.type) == ["message", "message", "message"])  // "lone" had no data: nothing dispatched
    }

    @Test func theMatcherSaysWhichEventDiffersAndWhen() throws {
        let text = """
            {"treaty": 1, "consumer": "c", "provider": "p", "interactions": [{"name": "s", "sse": {"request": {"path": "/e"}, "events": [
              {"event": "status", "id": "1", "data": {"status": {"$regex": "^(paid|shipped)$", "example": "paid"}}, "within": "100ms"},
              {"data": "bye"}]}}]}
            """
        let contract = try #require(ContractLoader().load(Array(text.utf8), file: "c.json").contract)
        let expected = try #require(contract.interactions.first?.sse?.events)
        let good = [SSEParser.Event(type: "status", data: #"{"status":"shipped","extra":1}"#, id: "1", retry: nil, time: 0.05),
                    SSEParser.Event(type: "message", data: "bye", id: "1", retry: nil, time: 0.06)]
        #expect(SSEMatcher.match(good, expected, ended: "the stream ended").isEmpty)
        let late = [SSEParser.Event(type: "status", data: #"{"status":"lost"}"#, id: "2", retry: nil, time: 0.5)]
        let messages = SSEMatcher.match(late, expected, ended: "the stream ended").map(\.description)
        #expect(messages.contains { $0.contains("$.events[0].id") && $0.contains(#"expected id "1", got "2""#) })
        #expect(messages.contains { $0.contains("$.events[0].data.status") })
        #expect(messages.contains { $0.contains("event 1 came 500 ms after the stream opened, expected within 100 ms") })
        #expect(messages.contains { $0.contains("expected event 2 of 2") && $0.contains("the stream ended after 1") })
    }
}

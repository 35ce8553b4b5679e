import Testing
import TreatyTestSupport
@testable import TreatyMatching
@testable import TreatyModel

func contract(_ interactions: String) throws -> Contract {
    let text = #"{"treaty": 1, "consumer": "a", "provider": "b", "interactions": ["# + interactions + "]}"
    let result = ContractLoader().load(Array(text.utf8), file: "t.json")
    guard let contract = result.contract else { throw TreatyError(code: .invalidContract, message: "\(result.diagnostics)") }
    return contract
}

@Suite struct HTTPMatchingTests {
    @Test func headersIgnoreNameCaseAndSplitOnCommas() throws {
        let c = try contract(#"{"name": "h", "http": {"request": {"path": "/", "headers": {"Accept": "a/b, c/d", "X-N": {"$regex": "^\\d+$", "example": "1"}}}, "response": {}}}"#)
        let spec = try #require(c.interactions[0].http?.request)
        let ok = HTTPRequestData(method: "GET", target: "/", headers: [("accept", "a/b,c/d"), ("x-n", "42")])
        #expect(RequestMatcher.match(ok, spec).isEmpty)
        let bad = HTTPRequestData(method: "GET", target: "/", headers: [("Accept", "a/b"), ("X-N", "x")])
        #expect(RequestMatcher.match(bad, spec).map(\.path) == ["$.headers.Accept", "$.headers.X-N"])
    }

    @Test func contentTypeComparesMediaTypeAndNamedParameters() {
        #expect(HeaderMatching.contentTypeMatches(expected: "application/json", actual: "application/json; charset=UTF-8"))
        #expect(HeaderMatching.contentTypeMatches(expected: "text/plain;charset=utf-8", actual: "Text/Plain; charset=\"UTF-8\""))
        #expect(!HeaderMatching.contentTypeMatches(expected: "application/json", actual: "text/html"))
        #expect(!HeaderMatching.contentTypeMatches(expected: "text/plain; charset=utf-8", actual: "text/plain; charset=latin1"))
    }

    @Test func queryParametersRepeatDecodeAndRejectExtras() throws {
        let c = try contract(#"{"name": "q", "http": {"request": {"path": "/s", "query": {"tag": ["a b", "c"], "page": {"$regex": "^\\d+$", "example": "1"}}}, "response": {}}}"#)
        let spec = try #require(c.interactions[0].http?.request)
        #expect(RequestMatcher.match(HTTPRequestData(method: "GET", target: "/s?tag=a+b&page=3&tag=c"), spec).isEmpty)
        let wrong = RequestMatcher.match(HTTPRequestData(method: "GET", target: "/s?tag=c&tag=a%20b&page=x&debug=1"), spec)
        #expect(wrong.map(\.path) == ["$.query.tag[0]", "$.query.tag[1]", "$.query.page", "$.query.debug"])
    }

    @Test func statusHeadersAndBodyOfAResponse() throws {
        let c = try contract(#"{"name": "r", "http": {"request": {"path": "/"}, "response": {"status": 201, "headers": {"Location": "/x"}, "body": {"id": {"$integer": 1}}}}}"#)
        let spec = try #require(c.interactions[0].http?.response)
        #expect(ResponseMatcher.match(HTTPResponseData(status: 201, headers: [("location", "/x")], body: Array(#"{"id": 5, "more": 1}"#.utf8)), spec).isEmpty)
        let mismatches = ResponseMatcher.match(HTTPResponseData(status: 200, headers: [], body: Array("not json".utf8)), spec)
        #expect(mismatches.map(\.path) == ["$.status", "$.headers.Location", "$.body"])
        #expect(mismatches[2].message.hasPrefix("body is not JSON"))
    }

    @Test func statusCodeClassesAndLists() throws {
        let c = try contract(#"{"name": "s", "http": {"request": {"path": "/"}, "response": {"status": {"$statusCode": ["success", 404], "example": 201}}}}"#)
        let spec = try #require(c.interactions[0].http?.response)
        #expect(spec.status == 201)
        #expect(ResponseMatcher.match(HTTPResponseData(status: 204), spec).isEmpty)
        #expect(ResponseMatcher.match(HTTPResponseData(status: 404), spec).isEmpty)
        #expect(ResponseMatcher.match(HTTPResponseData(status: 500), spec).map(\.message) == ["expected a status that is success or 404, got 500"])
    }

    @Test func xmlBodiesCompareByStructure() throws {
        let c = try contract(#"{"name": "x", "http": {"request": {"path": "/"}, "response": {"headers": {"Content-Type": {"$regex": ".*xml$", "example": "application/xml"}}, "body": "<order id=\"1\" xmlns=\"urn:o\"><item>A</item></order>"}}}"#)
        let spec = try #require(c.interactions[0].http?.response)
        let same = #"<?xml version="1.0"?><o:order xmlns:o="urn:o" id="1"><o:item>A</o:item></o:order>"#
        #expect(ResponseMatcher.match(HTTPResponseData(status: 200, headers: [("Content-Type", "text/xml")], body: Array(same.utf8)), spec).isEmpty)
        let other = #"<order xmlns="urn:o" id="1"><item>B</item></order>"#
        #expect(ResponseMatcher.match(HTTPResponseData(status: 200, headers: [("Content-Type", "text/xml")], body: Array(other.utf8)), spec).map(\.path) == ["$.body.order.item[0]['#text']"])
        let broken = ResponseMatcher.match(HTTPResponseData(status: 200, headers: [("Content-Type", "text/xml")], body: Array("<order>".utf8)), spec)
        #expect(broken.first?.message.hasPrefix("body is not well-formed XML") == true)
    }

    @Test func textBodiesCompareAsStrings() throws {
        let c = try contract(#"{"name": "t", "http": {"request": {"path": "/"}, "response": {"body": {"$include": "ok"}}}}"#)
        let spec = try #require(c.interactions[0].http?.response)
        #expect(ResponseMatcher.match(HTTPResponseData(status: 200, body: Array("all ok here".utf8)), spec).isEmpty)
        #expect(ResponseMatcher.match(HTTPResponseData(status: 200, body: Array("nope".utf8)), spec).count == 1)
    }

    @Test func indexPicksTheFirstFullMatchAndReportsTheNearestMiss() throws {
        let c = try contract("""
            {"name": "one", "http": {"request": {"path": "/orders/1"}, "response": {}}},
            {"name": "post", "http": {"request": {"method": "POST", "path": "/orders", "body": {"a": 1}}, "response": {}}},
            {"name": "any", "http": {"request": {"path": {"$regex": "^/orders/\\\\d+$", "example": "/orders/2"}}, "response": {}}},
            {"name": "hdr", "http": {"request": {"path": "/h", "headers": {"X": "1"}}, "response": {}}}
            """)
        let index = InteractionIndex(c.interactions)
        func pick(_ method: String, _ target: String, _ body: String = "", headers: [(name: String, value: String)] = []) -> InteractionIndex.Selection {
            index.select(HTTPRequestData(method: method, target: target, headers: headers, body: Array(body.utf8)))
        }
        guard case .matched(0) = pick("GET", "/orders/1") else { Issue.record("literal path"); return }
        guard case .matched(2) = pick("GET", "/orders/99") else { Issue.record("regex path"); return }
        guard case .matched(1) = pick("POST", "/orders", #"{"a": 1}"#) else { Issue.record("body"); return }
        guard case .unmatched(let nearest, let mismatches) = pick("POST", "/orders", #"{"a": 2}"#) else { Issue.record("bad body"); return }
        #expect(nearest == 1)
        #expect(mismatches.map(\.path) == ["$.body.a"])
        guard case .unmatched(let near, let why) = pick("GET", "/h") else { Issue.record("missing header"); return }
        #expect(near == 3)
        #expect(why.map(\.path) == ["$.headers.X"])
    }

    @Test func percentEncodingAndQueryParsing() {
        #expect(PercentEncoding.decode("/a%20b%2Fc%zz") == "/a b/c%zz")
        #expect(PercentEncoding.parseQuery("a=1&b=x+y&a=%26&flag").map { "\($0.name)=\($0.value)" } == ["a=1", "b=x y", "a=&", "flag="])
        #expect(PercentEncoding.encode("a b&c/é") == "a%20b%26c%2F%C3%A9")
    }
}

@Suite struct TextDiffTests {
    @Test func showsRemovedAndAddedLinesWithContext() {
        let expected = (1...10).map { "line \($0)" }.joined(separator: "\n")
        let actual = expected.replacingOccurrences(of: "line 5", with: "line five") + "\nline 11"
        #expect(TextDiff.unified(expected: expected, actual: actual, context: 1) == """
              …
              line 4
            - line 5
            + line five
              line 6
              …
              line 10
            + line 11
            """)
        #expect(TextDiff.unified(expected: "same", actual: "same").isEmpty)
    }

    @Test func clipsLongLinesAndSaysHowMuchWasCut() {
        let diff = TextDiff.unified(expected: "short", actual: String(repeating: "x", count: 5_000_000), maximumLineLength: 100)
        #expect(diff.utf8.count < 300)
        #expect(diff.contains("+ " + String(repeating: "x", count: 100) + "… (4999900 more characters cut)"))
    }

    @Test func saysHowManyLinesWereNotCompared() {
        let expected = (1...10).map { "line \($0)" }.joined(separator: "\n")
        let diff = TextDiff.unified(expected: expected, actual: expected + "\nline 11\nline 12", maximumLines: 10)
        #expect(diff.hasSuffix("… (2 more lines not compared)"))
        #expect(!TextDiff.unified(expected: expected, actual: expected, maximumLines: 5).contains("not compared"))
    }
}

import Foundation

@Suite struct IndexFastPathTests {
    @Test func aBareLiteralMatchRespectsContractOrderAndQueries() throws {
        let c = try contract("""
            {"name": "regex first", "http": {"request": {"path": {"$regex": "^/a/\\\\d+$", "example": "/a/1"}, "headers": {"X": "1"}}, "response": {}}},
            {"name": "bare", "http": {"request": {"path": "/a/2"}, "response": {}}},
            {"name": "bare b", "http": {"request": {"path": "/b"}, "response": {}}}
            """)
        let index = InteractionIndex(c.interactions)
        guard case .matched(0) = index.select(HTTPRequestData(method: "GET", target: "/a/2", headers: [("X", "1")])) else {
            Issue.record("an earlier matcher-path interaction must win"); return
        }
        guard case .matched(1) = index.select(HTTPRequestData(method: "GET", target: "/a/2")) else { Issue.record("bare literal"); return }
        guard case .matched(2) = index.select(HTTPRequestData(method: "GET", target: "/b")) else { Issue.record("bare b"); return }
        guard case .unmatched(let nearest, let why) = index.select(HTTPRequestData(method: "GET", target: "/b?x=1")) else {
            Issue.record("a query the contract does not list is a mismatch"); return
        }
        #expect(nearest == 2)
        #expect(why.map(\.path) == ["$.query.x"])
    }
}

@Suite struct HeaderSplittingTests {
    @Test func datesAndCookiesAreNotSplitOnCommas() throws {
        let c = try contract(#"{"name": "h", "http": {"request": {"path": "/"}, "response": {"headers": {"Set-Cookie": ["a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT", "b=2"], "Date": "Wed, 21 Oct 2026 07:28:00 GMT", "Allow": ["GET", "POST"]}}}}"#)
        let spec = try #require(c.interactions[0].http?.response)
        let response = HTTPResponseData(status: 200, headers: [
            ("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT"), ("Set-Cookie", "b=2"),
            ("Date", "Wed, 21 Oct 2026 07:28:00 GMT"), ("Allow", "GET, POST"),
        ])
        #expect(ResponseMatcher.match(response, spec).isEmpty)
        let wrong = HTTPResponseData(status: 200, headers: [("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT, b=2"),
                                                             ("Date", "Wed, 21 Oct 2026 07:28:00 GMT"), ("Allow", "GET")])
        #expect(ResponseMatcher.match(wrong, spec).map(\.path) == ["$.headers.Set-Cookie", "$.headers.Allow"])
    }
}

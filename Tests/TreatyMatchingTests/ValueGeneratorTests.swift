import Testing
@testable import TreatyMatching
@testable import TreatyModel

@Suite struct ValueGeneratorTests {
    func render(_ patternText: String, request: HTTPRequestData = HTTPRequestData(method: "GET", target: "/"),
                states: JSONObject = JSONObject(), baseURL: String = "http://127.0.0.1:9") throws -> JSONNode {
        let p = try pattern(patternText)
        return ValueGenerator(context: .init(request: request, stateParameters: states, baseURL: baseURL)).render(p)
    }

    @Test(arguments: [#"^[A-Z]{3}-\d{2,4}$"#, #"^(pending|paid|shipped)$"#, #"^[0-9a-f]{8}-[0-9a-f]{4}$"#, #"^/orders/\d+$"#,
                      #"^v?\d+\.\d+(\.\d+)?$"#, #"^[^a-z]{5}$"#, #"^a.c\s?x*$"#])
    func regexGeneratorMakesMatchingStrings(source: String) throws {
        let regex = try RegexPattern(source)
        for _ in 0..<50 {
            var generator = RegexGenerator()
            let generated = generator.generate(source)
            let text = try #require(generated)
            #expect(regex.compiled.matchesWhole(text), "\(text) does not match /\(source)/")
        }
    }

    @Test func generatedValuesSatisfyTheirMatchers() throws {
        let text = #"""
            {"n": {"$integer": 5, "generate": {"randomInt": [10, 20]}},
             "d": {"$decimal": 1.5, "generate": {"randomDecimal": 6}},
             "h": {"$regex": "^[0-9a-f]{8}$", "example": "00000000", "generate": {"randomHex": 8}},
             "s": {"$string": "x", "generate": {"randomString": 12}},
             "r": {"$regex": "^[A-Z]{2}\\d{3}$", "example": "AB123", "generate": "regex"},
             "u": {"$regex": "^[0-9a-f-]{36}$", "example": "00000000-0000-0000-0000-000000000000", "generate": "uuid"},
             "t": {"$date": "2020-01-01", "generate": {"now": "+1d"}},
             "items": {"$eachLike": {"id": {"$integer": 1, "generate": {"randomInt": [1, 3]}}}, "examples": 3}}
            """#
        let p = try pattern(text)
        for _ in 0..<20 {
            let value = ValueGenerator(context: .init(request: HTTPRequestData(method: "GET", target: "/"), stateParameters: JSONObject(), baseURL: "")).render(p)
            #expect(ValueMatcher(allowUnexpectedKeys: false).match(p, value).isEmpty, "\(value)")
            let n = try #require(value["n"]?.numberValue?.intValue)
            #expect((10...20).contains(n))
            #expect(value["s"]?.stringValue?.count == 12)
            #expect(value["items"]?.arrayValue?.count == 3)
        }
    }

    @Test func valuesComeFromTheRequestStatesAndMockURL() throws {
        let request = HTTPRequestData(method: "POST", target: "/orders/77/items?page=3", headers: [("X-Trace", "t-1")],
                                      body: Array(#"{"customer": {"id": 9, "name": "Ada"}}"#.utf8))
        let value = try render(#"""
            {"id": {"$integer": 1, "generate": {"fromRequest": "/path/1"}},
             "page": {"$string": "1", "generate": {"fromRequest": "/query/page"}},
             "trace": {"$string": "x", "generate": {"fromRequest": "/headers/X-Trace"}},
             "customer": {"$integer": 1, "generate": {"fromRequest": "/body/customer/id"}},
             "missing": {"$string": "fallback", "generate": {"fromRequest": "/body/nope"}},
             "state": {"$integer": 1, "generate": {"fromState": "orderId"}},
             "self": {"$string": "x", "generate": {"mockServerURL": "/orders/77"}}}
            """#, request: request, states: JSONObject([.init(key: "orderId", value: .number(42))]))
        #expect(value.rendered() == #"{"id":77,"page":"3","trace":"t-1","customer":9,"missing":"fallback","state":42,"self":"http://127.0.0.1:9/orders/77"}"#)
    }

    @Test(arguments: [(#"{"$integer": 1, "generate": "later"}"#, "unknown generator \"later\""),
                      (#"{"$integer": 1, "generate": {"randomInt": [5, 1]}}"#, "min ≤ max"),
                      (#"{"$string": "a", "generate": "regex"}"#, "needs a $regex matcher"),
                      (#"{"$date": "2020-01-01", "generate": {"now": "tomorrow"}}"#, "offset such as"),
                      (#"{"$string": "a", "generate": {"fromRequest": "/cookies/x"}}"#, "starting with /path")])
    func badGeneratorsAreLocatedErrors(text: String, fragment: String) {
        #expect(throws: TreatyError.self) { try pattern(text) }
        do { _ = try pattern(text) } catch {
            #expect("\(error)".contains(fragment), "\(error)")
        }
    }
}

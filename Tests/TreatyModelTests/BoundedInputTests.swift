import Testing
@testable import TreatyModel

/// Numbers in contracts that drove arithmetic or allocation (a rule path's weight, generator
/// sizes, offsets, indexes) come back as located diagnostics, never as a trap or a memory spike.
@Suite struct BoundedInputTests {
    func load(_ text: String) -> ContractLoader.Result {
        ContractLoader().load(Array(text.utf8), file: "p.json")
    }

    func pact(body: String, rules: String = "{}", generators: String = "{}") -> String {
        """
        {"consumer": {"name": "web"}, "provider": {"name": "orders"}, "metadata": {"pactSpecification": {"version": "3.0.0"}},
         "interactions": [{"description": "d", "request": {"method": "GET", "path": "/"},
           "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": \(body),
                        "matchingRules": {"body": \(rules)}, "generators": {"body": \(generators)}}}]}
        """
    }

    @Test(arguments: [63, 64, 70, 200])
    func aLongExactRulePathIsWeighedWithoutOverflow(depth: Int) throws {
        // {"a": {"a": … "x" …}} with an exact rule at the leaf and a wildcard one of the same length.
        let body = String(repeating: #"{"a": "#, count: depth) + #""x""# + String(repeating: "}", count: depth)
        let exact = "$" + String(repeating: ".a", count: depth)
        let wildcard = "$" + String(repeating: ".a", count: depth - 1) + ".*"
        let rules = #"{"\#(wildcard)": {"matchers": [{"match": "type"}]}, "\#(exact)": {"matchers": [{"match": "regex", "regex": "x+"}]}}"#
        let result = load(pact(body: body, rules: rules))
        let http = try #require(result.contract?.interactions.first?.http, "\(result.diagnostics)")
        guard case .json(var pattern)? = http.response.body else { Issue.record("no body"); return }
        for _ in 0..<depth {
            guard case .object(let members) = pattern, let inner = members.first?.pattern else { Issue.record("not an object"); return }
            pattern = inner
        }
        guard case .matcher(let m) = pattern, case .regex(let regex, _) = m.rule else { Issue.record("the exact rule did not win: \(pattern)"); return }
        #expect(regex.source == "x+")
    }

    @Test func rulePathWeightsOrderAsPactsProductDid() throws {
        let concrete: [PactRulePath.Token] = [.root, .field("a"), .index(2), .field("b")]
        func weight(_ text: String) throws -> Int {
            guard case .success(let path) = PactRulePath.parse(text) else { throw TreatyError(code: .invalidContract, message: text) }
            return path.weight(against: concrete)
        }
        #expect(try weight("$.a[2].b") > weight("$.a[*].b"))
        #expect(try weight("$.a[*].b") > weight("$.*[*].b"))
        #expect(try weight("$.a[*].b") == weight("$.*[2].b"))
        #expect(try weight("$.a[3].b") == 0)
        #expect(try weight("$.a[2]") == 0)
    }

    @Test(arguments: [
        // generator, the key it is wrong in
        (#"{"type": "RandomDecimal", "digits": -1}"#, "digits"),
        (#"{"type": "RandomHexadecimal", "digits": 1000000000}"#, "digits"),
        (#"{"type": "RandomString", "size": -5}"#, "size"),
        (#"{"type": "RandomString", "size": 0}"#, "size"),
        (#"{"type": "RandomString", "size": 1e400}"#, "size"),
        (#"{"type": "RandomString", "size": "10"}"#, "size"),
    ])
    func pactGeneratorSizesAreBoundedWithALocatedWarning(generator: String, key: String) throws {
        let result = load(pact(body: #"{"n": "abc"}"#, generators: #"{"$.n": \#(generator)}"#))
        let http = try #require(result.contract?.interactions.first?.http, "\(result.diagnostics)")
        guard case .json(.object(let members))? = http.response.body else { Issue.record("no body"); return }
        if case .matcher(let m) = members.first?.pattern { #expect(m.generator == nil, "the generator was carried over") }
        let warning = try #require(result.diagnostics.first { $0.message.contains("takes \"\(key)\" from 1 to 1000") }, "\(result.diagnostics)")
        #expect(warning.severity == .warning)
        #expect(warning.pointer?.description == "/interactions/0/response/generators/body/$.n/\(key)")
        #expect(warning.position?.line == 4)
        #expect(warning.description.hasPrefix("p.json:4:"))
    }

    @Test func pactGeneratorSizesInRangeAreCarriedOver() throws {
        let result = load(pact(body: #"{"n": "abc"}"#, generators: #"{"$.n": {"type": "RandomString", "size": 1000}}"#))
        let http = try #require(result.contract?.interactions.first?.http)
        guard case .json(.object(let members))? = http.response.body, case .matcher(let m) = members.first?.pattern else { Issue.record("no generator"); return }
        #expect(m.generator == .randomString(size: 1000))
    }

    @Test(arguments: ["+9223372036854775807 days", "now - 9223372036854775807 seconds", "+100000000000000 weeks", "+40000 days"])
    func pactDateOffsetsThatOverflowAreNotCarriedOver(expression: String) throws {
        let result = load(pact(body: #"{"at": "2026-01-01T00:00:00Z"}"#, generators: #"{"$.at": {"type": "DateTime", "expression": "\#(expression)"}}"#))
        #expect(result.contract != nil, "\(result.diagnostics)")
        #expect(result.diagnostics.contains { $0.severity == .warning && $0.message.contains("is not carried over") })
    }

    @Test(arguments: ["-1", "-9223372036854775808", "3"])
    func anArrayContainsVariantOutsideTheExampleIsIgnoredWithAWarning(index: String) throws {
        let rules = #"{"$.list": {"matchers": [{"match": "arrayContains", "variants": [{"index": \#(index), "rules": {}}]}]}}"#
        let result = load(pact(body: #"{"list": [1, 2]}"#, rules: rules))
        #expect(result.contract != nil, "\(result.diagnostics)")
        let warning = try #require(result.diagnostics.first { $0.message.contains("arrayContains variant 0") }, "\(result.diagnostics)")
        #expect(warning.message.contains("the example has 2 element(s)"))
        #expect(warning.position != nil && warning.pointer != nil)
    }
}

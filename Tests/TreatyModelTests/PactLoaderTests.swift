import Testing
@testable import TreatyModel

@Suite struct PactLoaderTests {
    func load(_ text: String) -> ContractLoader.Result {
        ContractLoader().load(Array(text.utf8), file: "p.json")
    }

    static let v2 = """
        {"consumer": {"name": "web"}, "provider": {"name": "orders"},
         "interactions": [
           {"description": "get order", "providerState": "order 1 exists",
            "request": {"method": "get", "path": "/orders/1", "query": "a=1&a=2&b=x%20y"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": {"id": 1, "items": [{"sku": "A"}]},
                         "matchingRules": {"$.body.id": {"match": "type"}, "$.body.items": {"min": 1, "match": "type"},
                                           "$.body.items[*].sku": {"match": "regex", "regex": "^[A-Z]$"},
                                           "$.headers.Content-Type": {"match": "regex", "regex": "application/json.*"}}}}],
         "metadata": {"pactSpecification": {"version": "2.0.0"}}}
        """

    @Test func readsAV2PactIntoPatterns() throws {
        let result = load(Self.v2)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let interaction = try #require(result.contract?.interactions.first)
        #expect(interaction.states == [ProviderState(name: "order 1 exists")])
        let http = try #require(interaction.http)
        #expect(http.request.method == "GET")
        #expect(http.request.query.map(\.name) == ["a", "b"])
        #expect(http.request.query[1].values.first?.example.stringValue == "x y")
        guard case .json(let body)? = http.response.body else { Issue.record("no JSON body"); return }
        guard case .success(let inline) = body.contractJSON() else { Issue.record("inexpressible"); return }
        #expect(inline.rendered() == #"{"id":{"$type":1},"items":{"$eachLike":{"sku":{"$regex":"^[A-Z]$","example":"A"}},"min":1,"examples":1}}"#)
        guard case .matcher(let header)? = http.response.headers.first?.values.first, case .regex = header.rule else {
            Issue.record("the header rule was not applied"); return
        }
    }

    @Test func aByteOrderMarkAndUnknownFieldsAreFine() {
        let result = ContractLoader().load([0xEF, 0xBB, 0xBF] + Array(Self.v2.replacingOccurrences(of: "\"metadata\"", with: "\"extra\": 1, \"metadata\"").utf8), file: "p.json")
        #expect(result.contract != nil)
    }

    @Test func rulesThatPointAtNothingAreLocatedWarnings() throws {
        let result = load(Self.v2.replacingOccurrences(of: "\"$.body.id\"", with: "\"$.body.nothing.here\""))
        let warning = try #require(result.diagnostics.first)
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("matching rule at \"$.nothing.here\" points at nothing"))
        #expect(warning.position == SourcePosition(line: 7, column: 36))
    }

    @Test(arguments: [
        (#""regex": "^[A-Z]$""#, #""regex": "([A-Z]""#, "invalid regular expression /([A-Z]/"),
        (#""consumer": {"name": "web"}"#, #""consumer": {"name": 7}"#, "\"consumer\" must be an object with a non-empty \"name\""),
        (#""status": 200"#, #""status": "OK""#, "Pact response \"status\" must be an HTTP status"),
    ])
    func malformedPactsGiveLocatedErrors(original: String, replacement: String, fragment: String) throws {
        let result = load(Self.v2.replacingOccurrences(of: original, with: replacement))
        #expect(result.contract == nil)
        let error = try #require(result.diagnostics.first { $0.severity == .error })
        #expect(error.message.contains(fragment), "\(error)")
        #expect(error.position != nil)
    }

    @Test func v3MessagesAndV4InteractionsLoad() throws {
        let result = load("""
            {"consumer": {"name": "c"}, "provider": {"name": "p"},
             "messages": [{"description": "order created", "providerStates": [{"name": "s", "params": {"id": 1}}],
                           "contents": {"id": 1}, "metaData": {"contentType": "application/json"},
                           "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}}],
             "metadata": {"pactSpecification": {"version": "3.0.0"}}}
            """)
        let message = try #require(result.contract?.interactions.first)
        guard case .message(let spec) = message.kind, case .json(let body)? = spec.contents else { Issue.record("not a message"); return }
        #expect(body.example.rendered() == #"{"id":1}"#)
        let v4 = load("""
            {"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [
              {"type": "Synchronous/HTTP", "description": "d", "request": {"method": "GET", "path": "/"},
               "response": {"status": 200, "body": {"content": {"a": 1}, "contentType": "application/json", "encoded": false}}},
              {"type": "Synchronous/HTTP", "description": "d", "request": {"method": "GET", "path": "/x"}, "response": {"status": 200}},
              {"type": "Synchronous/Plugin", "description": "e"}],
             "metadata": {"pactSpecification": {"version": "4.0"}}}
            """)
        #expect(v4.contract?.interactions.map(\.name) == ["d", "d #2"])
        #expect(v4.diagnostics.map(\.message).contains { $0.contains("\"Synchronous/Plugin\", which Treaty does not read") })
    }

    @Test func garbagePactsNeverCrash() {
        for text in [#"{"consumer": {}, "interactions": 1}"#, #"{"consumer": {"name": "a"}, "provider": {"name": "b"}, "interactions": [1, [], {"description": 2}]}"#,
                     #"{"consumer": {"name": "a"}, "provider": {"name": "b"}, "interactions": [{"description": "x", "request": 1, "response": []}]}"#,
                     #"{"consumer": {"name": "a"}, "provider": {"name": "b"}, "interactions": [{"description": "x", "request": {"matchingRules": {"body": {"$[": {}}}}, "response": {}}]}"#] {
            let result = load(text)
            #expect(result.contract == nil || !result.diagnostics.isEmpty)
        }
    }
}

@Suite struct PactGeneratorTests {
    @Test func responseGeneratorsBecomeTreatyGenerators() throws {
        let result = ContractLoader().load(Array("""
            {"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [
              {"type": "Synchronous/HTTP", "description": "d", "providerStates": [{"name": "s", "params": {"id": 7}}],
               "request": {"method": "GET", "path": "/"},
               "response": {"status": 200, "headers": {"Location": ["/x/1"]},
                 "body": {"content": {"id": null, "items": [{"at": "2020-01-01"}], "owner": 1}, "contentType": "application/json"},
                 "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}, "$.items": {"matchers": [{"match": "type", "min": 1}]}}},
                 "generators": {"body": {"$.id": {"type": "RandomInt", "min": 1, "max": 9},
                                         "$.items[*].at": {"type": "Date", "format": "yyyy-MM-dd", "expression": "today + 1 day"},
                                         "$.owner": {"type": "ProviderState", "expression": "${id}"},
                                         "$.nothing": {"type": "Uuid"}},
                                "header": {"Location": {"type": "MockServerURL", "example": "http://localhost:1234/x/1", "regex": ".*(/x/\\\\d+)$"}}}}}],
             "metadata": {"pactSpecification": {"version": "4.0"}}}
            """.utf8), file: "g.json")
        let response = try #require(result.contract?.interactions.first?.http?.response)
        #expect(result.diagnostics.map(\.message) == ["the Pact generator at \"$.nothing\" points at nothing in the example; ignored"])
        guard case .json(let body)? = response.body, case .object(let members) = body else { Issue.record("no body"); return }
        func generator(_ key: String) -> Generator? {
            guard case .matcher(let m)? = members.first(where: { $0.key == key })?.pattern else { return nil }
            return m.generator
        }
        #expect(generator("id") == .randomInt(min: 1, max: 9))
        #expect(generator("owner") == .fromState("id"))
        guard case .matcher(let items)? = members.first(where: { $0.key == "items" })?.pattern,
              case .eachLike(.object(let template), _, _, _) = items.rule,
              case .matcher(let at)? = template.first?.pattern else { Issue.record("no template generator"); return }
        #expect(at.generator == .now(offsetSeconds: 86_400))
        guard case .matcher(let location)? = response.headers.first?.values.first else { Issue.record("no header generator"); return }
        #expect(location.generator == .mockServerURL("/x/1"))
    }
}

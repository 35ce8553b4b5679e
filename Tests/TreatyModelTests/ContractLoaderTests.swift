import Testing
@testable import TreatyModel

@Suite struct ContractLoaderTests {
    func load(_ text: String) -> ContractLoader.Result {
        ContractLoader().load(Array(text.utf8), file: "c.json")
    }

    func minimal(_ interaction: String) -> String {
        """
        {"treaty": 1, "consumer": "a", "provider": "b", "interactions": [\(interaction)]}
        """
    }

    @Test func loadsAnHTTPInteractionWithStatesAndMatchers() throws {
        let result = load(minimal("""
            {"name": "get", "given": ["plain", {"state": "order exists", "params": {"id": 42}}],
             "http": {"request": {"path": "/orders/42", "query": {"a": ["1", "2"]}},
                      "response": {"status": 200, "body": {"id": {"$integer": 42}, "tags": {"$eachLike": "x", "min": 2}}}}}
            """))
        #expect(result.diagnostics.isEmpty)
        let contract = try #require(result.contract)
        let interaction = try #require(contract.interactions.first)
        #expect(interaction.states == [ProviderState(name: "plain"),
                                       ProviderState(name: "order exists", params: JSONObject([.init(key: "id", value: .number(42))]))])
        let http = try #require(interaction.http)
        #expect(http.request.method == "GET")
        #expect(http.request.query.first?.values.count == 2)
        guard case .json(let body)? = http.response.body else { Issue.record("expected a JSON body"); return }
        #expect(body.example.rendered() == #"{"id":42,"tags":["x","x"]}"#)
    }

    @Test func unknownKeysWarnWithASuggestion() throws {
        let result = load(minimal(#"{"name": "x", "http": {"request": {"path": "/"}, "reponse": {}}}"#))
        let messages = result.diagnostics.map(\.description)
        #expect(messages.contains { $0.contains("warning: unknown key \"reponse\"") && $0.contains("did you mean \"response\"?") })
        #expect(messages.contains { $0.contains("error: an http interaction is missing the required key \"response\"") })
    }

    @Test func diagnosticsCarryFileLineColumnAndPointer() throws {
        let result = load("""
            {"treaty": 1, "consumer": "a", "provider": "b",
             "interactions": [
               {"name": "x", "http": {"request": {"path": "/", "headers": {"A": {"$regex": "(", "example": "a"}}},
                                      "response": {}}}]}
            """)
        let error = try #require(result.diagnostics.first { $0.severity == .error })
        #expect(error.file == "c.json")
        #expect(error.position == SourcePosition(line: 3, column: 80))
        #expect(error.pointer?.description == "/interactions/0/http/request/headers/A/$regex")
        #expect(error.description.hasPrefix("c.json:3:80: error: invalid regular expression /(/"))
        #expect(result.contract == nil)
    }

    @Test func unknownKindsAreRejectedClearly() throws {
        let result = load(minimal(#"{"name": "call", "mqtt": {"topic": "orders"}}"#))
        let error = try #require(result.diagnostics.first { $0.severity == .error })
        #expect(error.message.hasPrefix("interaction \"call\" has no kind; add one of: http, longPoll, sse, websocket, grpc, jsonrpc, message, tcp, udp"))
        #expect(result.diagnostics.contains { $0.severity == .warning && $0.pointer?.description == "/interactions/0/mqtt" })
    }

    @Test func aLongPollMustWaitForAnInteractionThatExists() throws {
        let result = load(minimal(#"""
            {"name": "wait", "longPoll": {"request": {"path": "/w"}, "hold": {"untilCalled": "shipp"}, "response": {}}},
            {"name": "ship", "http": {"request": {"method": "POST", "path": "/s"}, "response": {"status": 204}}}
            """#))
        let error = try #require(result.diagnostics.first { $0.severity == .error })
        #expect(error.message == #""untilCalled" names no interaction of this contract: "shipp"; did you mean "ship"?"#)
        #expect(error.pointer?.description == "/interactions/0/longPoll/hold/untilCalled")
        #expect(result.contract == nil)
    }

    @Test func duplicateInteractionNamesAreErrors() throws {
        let one = #"{"name": "same", "http": {"request": {"path": "/"}, "response": {}}}"#
        let result = load(minimal(one + "," + one))
        #expect(result.diagnostics.map(\.message).contains { $0.hasPrefix("duplicate interaction name \"same\"") })
    }

    @Test(arguments: [
        (#"{"$regx": "a", "example": "a"}"#, "unknown matcher \"$regx\"; did you mean \"$regex\"?"),
        (#"{"$regex": "^a$"}"#, "missing the required key \"example\""),
        (#"{"$regex": "^a$", "example": "b"}"#, "the example \"b\" does not match /^a$/"),
        (#"{"$integer": 1.5}"#, "not written as an integer"),
        (#"{"$decimal": 1}"#, "write it with a fraction"),
        (#"{"$eachLike": 1, "min": 3, "max": 2}"#, "smaller than \"min\""),
        (#"{"$boolean": "yes"}"#, "takes true or false"),
        (#"{"$type": 1, "$regex": "a"}"#, "one matcher per value"),
        (#"{"id": 1, "$integer": 2}"#, "\"id\" cannot stand beside the matcher \"$integer\""),
        (#"{"$date": "2020-01-01", "example": "2020-01-01"}"#, "cannot stand beside the matcher \"$date\""),
    ])
    func badMatchersAreLocatedErrors(matcher: String, fragment: String) {
        let result = load(minimal(#"{"name": "m", "http": {"request": {"path": "/"}, "response": {"body": {"v": "# + matcher + "}}}}"))
        #expect(result.contract == nil)
        #expect(result.diagnostics.contains { $0.severity == .error && $0.message.contains(fragment) },
                "\(result.diagnostics.map(\.description))")
    }

    @Test func wrongTopLevelTypesDoNotCrash() {
        for text in ["[]", "1", "null", #"{"treaty": "1"}"#, #"{"treaty": 1, "interactions": {}}"#,
                     #"{"treaty": 1, "consumer": 1, "provider": [], "interactions": [1, null, []]}"#] {
            let result = load(text)
            #expect(result.contract == nil)
            #expect(result.diagnostics.containsErrors)
        }
    }

    @Test func syntaxErrorsBecomeDiagnostics() throws {
        let result = load("{\n  \"treaty\": 1,\n  \"consumer\" \"a\"\n}")
        let error = try #require(result.diagnostics.first)
        #expect(error.description == "c.json:3:14: error: invalid JSON: expected ':' after the key \"consumer\"")
    }

    @Test func blankNamesAreErrors() {
        let result = load(#"{"treaty": 1, "consumer": "  ", "provider": "b", "interactions": [{"name": "x", "given": [{"state": ""}], "http": {"request": {"path": "/"}, "response": {}}}]}"#)
        #expect(result.diagnostics.map(\.message) == ["\"consumer\" must not be empty", "a provider state name must not be empty"])
    }

    @Test func eachLikeExamplesNeverExceedMax() throws {
        let result = load(minimal(#"{"name": "e", "http": {"request": {"path": "/"}, "response": {"body": {"$eachLike": 1, "min": 0, "max": 0}}}}"#))
        #expect(result.diagnostics.isEmpty)
        guard case .json(let body)? = result.contract?.interactions.first?.http?.response.body else { Issue.record("no body"); return }
        #expect(body.example.rendered() == "[]")
    }

    @Test func duplicateKeysAreErrors() throws {
        let result = load(#"{"treaty": 1, "treaty": 1, "consumer": "a", "provider": "b", "interactions": []}"#)
        #expect(result.diagnostics.first?.message.hasPrefix("duplicate key \"treaty\"") == true)
    }
}

import Testing
@testable import TreatyCommands
@testable import TreatyMock

/// `--cors` alone, with a list, or with `*`; never credentials for an origin nobody listed.
@Suite struct CORSOptionTests {
    @Test func aBareCORSMeansAnyOriginAndLeavesAFollowingPathAPath() {
        #expect(MockCommand.expandingBareCORS(["mock", "--cors", "Contracts"]) == ["mock", "--cors=*", "Contracts"])
        #expect(MockCommand.expandingBareCORS(["mock", "Contracts", "--cors"]) == ["mock", "Contracts", "--cors=*"])
        #expect(MockCommand.expandingBareCORS(["mock", "--cors", "--port", "0"]) == ["mock", "--cors=*", "--port", "0"])
        #expect(MockCommand.expandingBareCORS(["mock", "--cors", "http://localhost:3000,https://shop.test", "x"])
                == ["mock", "--cors=http://localhost:3000,https://shop.test", "x"])
        #expect(MockCommand.expandingBareCORS(["mock", "--cors", "*"]) == ["mock", "--cors=*"])
        #expect(MockCommand.expandingBareCORS(["mock", "--cors=http://a.test"]) == ["mock", "--cors=http://a.test"])
        #expect(MockCommand.expandingBareCORS(["mock", "--", "--cors"]) == ["mock", "--", "--cors"])
    }

    @Test func theCommandParsesEachForm() throws {
        let bare = try #require(try TreatyCommand.parseAsRoot(MockCommand.expandingBareCORS(["mock", "--cors", "Contracts"])) as? MockCommand)
        #expect(bare.cors == "*" && bare.contracts.paths == ["Contracts"])
        let listed = try #require(try TreatyCommand.parseAsRoot(MockCommand.expandingBareCORS(["mock", "--cors", "http://localhost:3000"])) as? MockCommand)
        #expect(listed.cors == "http://localhost:3000")
        #expect(throws: (any Error).self) { try TreatyCommand.parseAsRoot(["mock", "--cors=http://localhost:3000/app"]) }
        #expect(throws: (any Error).self) { try TreatyCommand.parseAsRoot(["mock", "--cors=localhost:3000"]) }
    }

    @Test func listedOriginsGetCredentialsAndStarNever() throws {
        let policy = try CORSPolicy.parse("http://localhost:3000, https://Shop.Test/").get()
        #expect(policy.origins == ["http://localhost:3000", "https://shop.test"] && !policy.anyOrigin)
        #expect(policy.headers(origin: "https://shop.test").map(\.name)
                == ["Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Vary"])
        #expect(policy.headers(origin: "https://evil.test").map(\.name) == ["Vary"])
        #expect(!policy.allows("https://evil.test") && policy.allows("http://localhost:3000"))

        let any = try CORSPolicy.parse("*").get()
        #expect(any.headers(origin: "https://evil.test").map { "\($0.name): \($0.value)" } == ["Access-Control-Allow-Origin: *"])
        let both = try CORSPolicy.parse("*,http://localhost:3000").get()
        #expect(both.headers(origin: "http://localhost:3000").contains { $0.name == "Access-Control-Allow-Credentials" })
        #expect(!both.headers(origin: "https://evil.test").contains { $0.name == "Access-Control-Allow-Credentials" })
    }

    @Test(arguments: ["localhost:3000", "http://a.test/path", "http://user@a.test", "", " , "])
    func entriesThatAreNotOriginsAreRefused(list: String) {
        guard case .failure(let error) = CORSPolicy.parse(list) else {
            Issue.record("\(list) is not a list of origins")
            return
        }
        #expect(error.message.hasPrefix("--cors"))
    }
}

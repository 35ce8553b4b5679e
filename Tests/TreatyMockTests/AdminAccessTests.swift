import NIOHTTP1
import Testing
@testable import TreatyMock

/// The admin API's access decision, alone: what a browser could send is refused, what tools send passes.
@Suite struct AdminAccessTests {
    func head(_ headers: [(String, String)], method: HTTPMethod = .GET) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: method, uri: "/reset", headers: HTTPHeaders(headers))
    }

    @Test(arguments: ["localhost:9099", "127.0.0.1:9099", "127.0.0.2", "[::1]:9099", "app.localhost:9099", "10.0.0.5:9099",
                      "[fe80::1]:9099", "LOCALHOST:9099"])
    func loopbackNamesAndAddressesAreServed(host: String) {
        #expect(AdminAccess(host: "127.0.0.1").refusal(head([("Host", host)])) == nil)
    }

    @Test(arguments: ["attacker.example:9099", "localhost.attacker.example", "127.0.0.1.nip.io:9099", "", "localhost.:9099"])
    func namesThatCouldBeReboundAreRefused(host: String) {
        #expect(AdminAccess(host: "127.0.0.1").refusal(head([("Host", host)]))?.status == .forbidden)
    }

    @Test func theConfiguredHostNameIsServedAndTwoHostHeadersAreNot() {
        #expect(AdminAccess(host: "devbox.lan", token: "t").refusal(head([("Host", "devbox.lan:9099"), ("Authorization", "Bearer t")])) == nil)
        #expect(AdminAccess(host: "127.0.0.1").refusal(head([("Host", "localhost"), ("Host", "attacker.example")]))?.status == .badRequest)
    }

    @Test(arguments: [("http://localhost:3000", true), ("https://127.0.0.1", true), ("http://[::1]:5173", true), ("http://app.localhost", true),
                      ("https://attacker.example", false), ("null", false), ("http://localhost@attacker.example", false),
                      ("file://", false), ("http://localhost.attacker.example", false)])
    func onlyLoopbackOriginsPass(origin: String, served: Bool) {
        let refusal = AdminAccess(host: "127.0.0.1").refusal(head([("Host", "localhost"), ("Origin", origin), ("Content-Type", "application/json")], method: .POST))
        #expect((refusal == nil) == served)
    }

    @Test(arguments: [("application/json", true), ("Application/JSON; charset=utf-8", true), ("text/plain", false),
                      ("application/x-www-form-urlencoded", false), ("multipart/form-data; boundary=x", false),
                      ("text/plain; application/json", false), (nil, false)] as [(String?, Bool)])
    func everythingButReadsNeedsJSON(type: String?, served: Bool) {
        let headers = [("Host", "localhost")] + (type.map { [("Content-Type", $0)] } ?? [])
        for method in [HTTPMethod.POST, .PUT, .DELETE, .PATCH] {
            let refusal = AdminAccess(host: "127.0.0.1").refusal(head(headers, method: method))
            #expect((refusal == nil) == served)
            if !served { #expect(refusal?.status == .unsupportedMediaType) }
        }
        #expect(AdminAccess(host: "127.0.0.1").refusal(head(headers)) == nil)
    }

    @Test func theTokenIsComparedWhole() {
        let access = AdminAccess(host: "0.0.0.0", token: "s3cret")
        #expect(access.refusal(head([("Host", "127.0.0.1")]))?.status == .unauthorized)
        for wrong in ["Bearer s3cre", "Bearer s3cret2", "bearer s3cret", "s3cret", "Bearer  s3cret"] {
            #expect(access.refusal(head([("Host", "127.0.0.1"), ("Authorization", wrong)]))?.status == .unauthorized)
        }
        #expect(access.refusal(head([("Host", "127.0.0.1"), ("Authorization", "Bearer s3cret")])) == nil)
        #expect(AdminAccess.isLoopback(bindHost: "127.0.0.1") && AdminAccess.isLoopback(bindHost: "::1")
                && AdminAccess.isLoopback(bindHost: "localhost") && !AdminAccess.isLoopback(bindHost: "0.0.0.0")
                && !AdminAccess.isLoopback(bindHost: "::") && !AdminAccess.isLoopback(bindHost: "192.168.1.5"))
    }
}

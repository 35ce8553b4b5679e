import Foundation
import Testing
@testable import TreatyFuzzTargets
import TreatyTestSupport

/// The fuzz corpora replayed through the functions libFuzzer runs (`FuzzTarget.run`): every seed
/// in Fixtures/fuzz/<target>/ and every input that once crashed a target, saved in
/// Fixtures/fuzz/crashers/<target>/. A crasher that crashes again takes the test run down with it.
struct FuzzReplayTests {
    static func files(_ relative: String) -> [String] {
        let folder = TestSupport.path(relative)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder + "/" + $0 }
    }

    static func read(_ file: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else { throw CocoaError(.fileReadNoSuchFile) }
        return [UInt8](data)
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedsRunThroughTheirTarget(target: FuzzTarget) throws {
        let seeds = Self.files("Fixtures/fuzz/\(target.rawValue)")
        #expect(!seeds.isEmpty, "no seeds in Fixtures/fuzz/\(target.rawValue)")
        for seed in seeds { target.run(try Self.read(seed)) }
    }

    /// Each saved crasher, by target and file name.
    static let crashers: [String] = FuzzTarget.allCases.flatMap { target in
        files("Fixtures/fuzz/crashers/\(target.rawValue)").map { "\(target.rawValue)/\(($0 as NSString).lastPathComponent)" }
    }

    @Test(arguments: crashers)
    func crasherNoLongerCrashes(crasher: String) throws {
        let target = try #require(FuzzTarget(rawValue: String(crasher.prefix { $0 != "/" })))
        target.run(try Self.read(TestSupport.path("Fixtures/fuzz/crashers/" + crasher)))
    }

    // The targets reach the code they are for: seeds get real answers and judgements, so a fuzz
    // run that only ever sees errors at the door would show here.

    @Test func anHTTP1SeedGetsTheContractsAnswer() throws {
        let written = String(decoding: MockFuzzing.request(try Self.read(TestSupport.path("Fixtures/fuzz/mock-requests/http1-get.txt"))), as: UTF8.self)
        #expect(written.hasPrefix("HTTP/1.1 200"), "\(written.prefix(300))")
        #expect(written.contains("\"items\""), "\(written.prefix(600))")
    }

    @Test func aGRPCSeedOverHTTP2GetsTheTreeBack() throws {
        let written = MockFuzzing.request(try Self.read(TestSupport.path("Fixtures/fuzz/mock-requests/h2-grpc-grow.bin")))
        // The response message (a fuzz.v1.Tree) carries its child's name in a DATA frame.
        #expect(written.firstRange(of: Array("branch".utf8)) != nil, "\(written.count) bytes written")
    }

    @Test func aWebSocketSeedIsUpgraded() throws {
        let written = String(decoding: MockFuzzing.request(try Self.read(TestSupport.path("Fixtures/fuzz/mock-requests/websocket.txt"))), as: UTF8.self)
        #expect(written.hasPrefix("HTTP/1.1 101"), "\(written.prefix(300))")
    }

    @Test func answersAreJudged() throws {
        for good in ["order.txt", "created.txt", "text.txt", "grpc-grow.bin", "grpc-walk.bin", "grpc-not-found.bin"] {
            let found = VerifierFuzzing.answer(try Self.read(TestSupport.path("Fixtures/fuzz/answers/" + good)))
            #expect(found.isEmpty, "\(good): \(found)")
        }
        for bad in ["order-wrong.txt", "grpc-cut.bin"] {
            #expect(!VerifierFuzzing.answer(try Self.read(TestSupport.path("Fixtures/fuzz/answers/" + bad))).isEmpty, "\(bad)")
        }
    }
}

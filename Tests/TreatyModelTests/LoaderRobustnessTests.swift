import Foundation
import Testing
@testable import TreatyModel

/// Bad input never crashes or hangs the loader: mutated versions of a real contract (bytes flipped,
/// cut, duplicated, types swapped) all come back as a contract or as located diagnostics.
@Suite struct LoaderRobustnessTests {
    static let contract: [UInt8] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Contracts/web-shop--orders.json")
        return (try? [UInt8](Data(contentsOf: url))) ?? []
    }()

    @Test func mutatedContractsGiveDiagnosticsNotCrashes() {
        #expect(!Self.contract.isEmpty)
        var rng = SplitMix64(seed: 0x7EA7)
        let loader = ContractLoader()
        let replacements: [[UInt8]] = ["null", "[]", "{}", "\"x\"", "-1", "1e999", "true", "{\"$regex\": \"(\"}", "\"\\ud800\""]
            .map { Array($0.utf8) }
        for _ in 0..<1500 {
            var bytes = Self.contract
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.removeSubrange(i..<min(bytes.count, i + Int.random(in: 1...40, using: &rng)))
                case 2: bytes.insert(contentsOf: replacements.randomElement(using: &rng)!, at: i)
                case 3: bytes = Array(bytes[..<i])
                default: bytes.insert(contentsOf: bytes[i..<min(bytes.count, i + 30)], at: i)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            let result = loader.load(bytes, file: "fuzz.json")
            if result.contract == nil {
                #expect(result.diagnostics.containsErrors)
            }
            for diagnostic in result.diagnostics where diagnostic.severity == .error {
                #expect(diagnostic.position != nil)
            }
        }
    }
}

/// A small deterministic generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

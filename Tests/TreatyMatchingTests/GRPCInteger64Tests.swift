import Foundation
import Testing
import TreatyTestSupport
@testable import TreatyMatching
@testable import TreatyModel

/// `$integer` and `$number` on 64-bit protobuf fields match the string that proto3 JSON makes of
/// them, within the field's range: the form a decoded message has, on the mock's side and the
/// verifier's.
@Suite struct GRPCInteger64Tests {
    struct Files: ReferenceResolver {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        func resolve(_ reference: String, from contractFile: String) -> ResolvedReference {
            guard let data = try? Data(contentsOf: root.appendingPathComponent("Fixtures/protobuf").appendingPathComponent(reference)) else {
                return .missing(path: reference)
            }
            return .contents([UInt8](data), path: reference)
        }
    }

    func call(request: String, response: String) throws -> (GRPCInteraction, [Diagnostic]) {
        let text = #"{"treaty": 1, "consumer": "c", "provider": "p", "protobuf": {"descriptorSet": "shop.pb"}, "interactions": [{"name": "get", "grpc": {"method": "shop.v1.Orders/GetOrder", "request": {"message": \#(request)}, "response": {"message": \#(response)}}}]}"#
        let result = ContractLoader(resolver: Files()).load(Array(text.utf8), file: "c.json")
        let grpc = try #require(result.contract?.interactions.first?.grpc, "\(result.diagnostics)")
        return (grpc, result.diagnostics)
    }

    /// A message as the mock or the verifier sees it: the JSON encoded to protobuf bytes and decoded back.
    func decoded(_ json: String, as type: String) throws -> JSONNode {
        let data = try Data(contentsOf: Files().root.appendingPathComponent("Fixtures/protobuf/shop.pb"))
        let transcoder = ProtoJSON(pool: try ProtoDescriptorPool(descriptorSet: [UInt8](data)))
        return try transcoder.decode(try transcoder.encode(try JSONParser.parse(json).root, as: type), as: type)
    }

    @Test(arguments: [
        // the request message sent, and whether `{"id": {"$integer": 1}}` (int64) takes it
        (#"{"id": "9007199254740993"}"#, true),
        (#"{"id": "-9223372036854775808"}"#, true),
        (#"{"id": "9223372036854775807"}"#, true),
        (#"{"id": 0}"#, true),
    ])
    func theMockMatchesAnInt64Request(message: String, matches: Bool) throws {
        let (grpc, diagnostics) = try call(request: #"{"id": {"$integer": 1}}"#, response: "{}")
        #expect(!diagnostics.contains { $0.message.contains("64-bit") }, "no warning for $integer on an int64 field")
        let received = try decoded(message, as: "shop.v1.GetOrderRequest")
        #expect(received["id"]?.stringValue != nil, "proto3 JSON writes int64 as a string")
        #expect(GRPCMatching.matchRequest(grpc, metadata: [], messages: [received], complete: true).isEmpty == matches)
    }

    @Test(arguments: [
        // the value of the field in a decoded message (always a string) or as a contract writes it
        ("\"42\"", false, true), ("\"-42\"", false, true), ("\"18446744073709551615\"", true, true),
        ("\"18446744073709551616\"", true, false), ("\"-1\"", true, false), ("\"9223372036854775808\"", false, false),
        ("\"042\"", false, false), ("\"4.2\"", false, false), ("\"1e3\"", false, false), ("\"\"", false, false),
        ("\"-\"", false, false), ("\" 42\"", false, false), ("\"+42\"", false, false), ("\"٤٢\"", false, false),
        ("42", false, true), ("42.0", false, false), ("true", false, false), ("null", false, false),
    ])
    func integer64TakesADecimalStringInRange(value: String, unsigned: Bool, matches: Bool) throws {
        let rule = MatchRule.integer64(written: .integer(example: JSONNumber(1)), unsigned: unsigned)
        let found = ValueMatcher(allowUnexpectedKeys: true).match(.matcher(Matcher(rule: rule)), try json(value))
        #expect(found.isEmpty == matches, "\(found)")
        if !matches { #expect(found.first?.rule == "$integer") }
    }

    @Test func theVerifierJudgesSixtyFourBitResponseFields() throws {
        let (grpc, diagnostics) = try call(request: "{}", response: #"{"id": {"$integer": 1}, "big": {"$integer": 7}, "sf64": {"$number": -1}, "status": "PAID"}"#)
        #expect(!diagnostics.contains { $0.severity != .note && $0.message.contains("64-bit") }, "\(diagnostics)")
        let good = try decoded(#"{"id": "1234567890123456789", "big": "18446744073709551615", "sf64": "-5", "status": "PAID"}"#, as: "shop.v1.Order")
        #expect(GRPCMatching.judgeResponse(grpc, metadata: [], messages: [good], status: .ok, statusMessage: "", details: [], trailers: []).isEmpty)
        // The mock's own answer, its example, is encoded and decoded the same way and matches too.
        let example = try decoded(grpc.responses[0].pattern.example.rendered(), as: "shop.v1.Order")
        #expect(GRPCMatching.judgeResponse(grpc, metadata: [], messages: [example], status: .ok, statusMessage: "", details: [], trailers: []).isEmpty)
        // A field of the wrong kind still fails, with the matcher's name.
        let wrong = try decoded(#"{"status": "PAID"}"#, as: "shop.v1.Order").objectValue!.members + [JSONObject.Member(key: "big", value: .string("x"))]
        let found = GRPCMatching.judgeResponse(grpc, metadata: [], messages: [JSONNode(.object(JSONObject(wrong)))], status: .ok, statusMessage: "", details: [], trailers: [])
        #expect(found.map(\.rule).contains("$integer"))
    }

    @Test func eachLikeAndTypeOnSixtyFourBitFieldsTakeTheDecodedFormToo() throws {
        // `history` is repeated enum; `id` int64 inside $type.
        let (grpc, _) = try call(request: "{}", response: #"{"$type": {"id": 5}}"#)
        let message = try decoded(#"{"id": "77"}"#, as: "shop.v1.Order")
        #expect(GRPCMatching.judgeResponse(grpc, metadata: [], messages: [message], status: .ok, statusMessage: "", details: [], trailers: []).isEmpty)
    }

    @Test func decimalOnA64BitFieldStillWarns() throws {
        let (_, diagnostics) = try call(request: #"{"id": {"$decimal": 2.0}}"#, response: "{}")
        let warning = try #require(diagnostics.first { $0.message.contains("64-bit") })
        #expect(warning.severity == .warning)
        #expect(warning.pointer?.description.hasSuffix("/request/message/id") == true)
    }
}

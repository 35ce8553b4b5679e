import Foundation
import Testing
@testable import TreatyModel
import TreatyTestSupport

/// Protobuf without generated code: descriptors read from a descriptor set, and binary ⇄ JSON
/// transcoding checked against Python's reference `protobuf` (Fixtures/protobuf/README.md).
@Suite struct ProtobufTests {
    func fixture(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestSupport.path("Fixtures/protobuf/" + name))))
    }

    func pool() throws -> ProtoDescriptorPool { try ProtoDescriptorPool(descriptorSet: fixture("shop.pb")) }

    @Test func descriptorsGiveMessagesEnumsServicesAndMapsByFullName() throws {
        let pool = try pool()
        let order = try #require(pool.messages["shop.v1.Order"])
        #expect(order.field(named: "bySlot")?.number == 15 && order.field(named: "by_slot")?.number == 15)
        #expect(order.oneofs == ["contact"])
        #expect(pool.messages["shop.v1.Order.BySlotEntry"]?.isMapEntry == true)
        #expect(pool.enums["shop.v1.Status"]?.values.map(\.name) == ["STATUS_UNSPECIFIED", "PAID", "SHIPPED"])
        let watch = try #require(pool.services["shop.v1.Orders"]?.methods.first { $0.name == "Watch" })
        #expect(watch.input == "shop.v1.GetOrderRequest" && watch.output == "shop.v1.Order" && watch.serverStreaming && !watch.clientStreaming)
    }

    @Test func decodingWhatTheReferenceImplementationWroteGivesItsJSON() throws {
        let transcoder = ProtoJSON(pool: try pool())
        let decoded = try transcoder.decode(fixture("order.bin"), as: "shop.v1.Order")
        let expected = try JSONParser.parse(fixture("order.json")).root
        #expect(decoded == expected, "\(decoded.rendered(pretty: true))")
    }

    @Test func encodingThenDecodingGivesTheSameValues() throws {
        let transcoder = ProtoJSON(pool: try pool())
        let expected = try JSONParser.parse(fixture("order.json")).root
        let bytes = try transcoder.encode(expected, as: "shop.v1.Order")
        #expect(try transcoder.decode(bytes, as: "shop.v1.Order") == expected)
        // The same bytes as the reference, up to field order: same length.
        #expect(bytes.count == (try fixture("order.bin")).count)
    }

    @Test func wellKnownTypesHaveTheirOwnJSONBothWays() throws {
        let transcoder = ProtoJSON(pool: try ProtoDescriptorPool(descriptorSet: fixture("wkt.pb")))
        let expected = try JSONParser.parse(fixture("event.json")).root
        let decoded = try transcoder.decode(fixture("event.bin"), as: "shop.v1.Event")
        #expect(decoded == expected, "\(decoded.rendered(pretty: true))")
        let bytes = try transcoder.encode(expected, as: "shop.v1.Event")
        #expect(try transcoder.decode(bytes, as: "shop.v1.Event") == expected)
        #expect(ProtoWellKnown.parseTimestamp("2026-11-26T11:00:20.5+01:00").map { [$0.0, Int64($0.1)] } == [1_795_687_220, 500_000_000])
        #expect(ProtoWellKnown.parseDuration("-0.25s").map { [$0.0, Int64($0.1)] } == [0, -250_000_000])
        #expect(ProtoWellKnown.parseTimestamp("2026-13-01T00:00:00Z") == nil && ProtoWellKnown.parseDuration("1.5") == nil)
    }

    @Test(arguments: [
        (#"{"id": "x"}"#, "$.id: expected an integer"),
        (#"{"status": "LOST"}"#, #""LOST" is not a value of shop.v1.Status"#),
        (#"{"email": "a", "phone": "b"}"#, "in the same oneof contact"),
        (#"{"nope": 1}"#, #"has no field "nope""#),
        (#"{"delta": 4294967296}"#, "out of range"),
        (#"{"items": {"sku": "a"}}"#, "a repeated field is written as a JSON array"),
    ])
    func badJSONSaysWhereAndWhat(text: String, fragment: String) throws {
        let transcoder = ProtoJSON(pool: try pool())
        #expect(throws: ProtoError.self) { try transcoder.encode(try JSONParser.parse(Array(text.utf8)).root, as: "shop.v1.Order") }
        do {
            _ = try transcoder.encode(try JSONParser.parse(Array(text.utf8)).root, as: "shop.v1.Order")
        } catch let error as ProtoError {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func garbageBytesThrowNeverTrap() throws {
        let transcoder = ProtoJSON(pool: try pool())
        var generator = SystemRandomNumberGenerator()
        let original = try fixture("order.bin")
        for _ in 0..<500 {
            var bytes = original
            for _ in 0..<3 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            _ = try? transcoder.decode(bytes, as: "shop.v1.Order")
        }
        #expect(throws: ProtoError.self) { try ProtoDescriptorPool(descriptorSet: [0x0A, 0xFF]) }
    }

    /// A google.protobuf.Value nested `levels` JSON arrays deep: [[[…"leaf"…]]].
    func nestedLists(_ levels: Int) -> JSONNode {
        var node = JSONNode.string("leaf")
        for _ in 0..<levels { node = .array([node]) }
        return node
    }

    @Test func recursionDeeperThanProtobufsLimitThrowsBothWays() throws {
        let transcoder = ProtoJSON(pool: try ProtoDescriptorPool(descriptorSet: fixture("wkt.pb")))
        // Each JSON list is two messages (Value → ListValue), so 40 levels are 80 messages deep: fine.
        let fine = JSONNode.object([("anything", nestedLists(40))])
        let bytes = try transcoder.encode(fine, as: "shop.v1.Event")
        #expect(try transcoder.decode(bytes, as: "shop.v1.Event")["anything"] == nestedLists(40))
        // 60 levels are 120 messages: refused when writing …
        #expect {
            try transcoder.encode(.object([("anything", nestedLists(60))]), as: "shop.v1.Event")
        } throws: { error in
            (error as? ProtoError)?.message.contains("nest deeper than 100 levels") == true
        }
        // … and when reading bytes that some other writer made (a Value holding a ListValue, 1,000 times; the
        // interop tests send 200,000 levels on the wire).
        var value: [UInt8] = [0x1A, 0x04, 0x6C, 0x65, 0x61, 0x66]  // Value.string_value = "leaf"
        for _ in 0..<1_000 {
            var list = ProtoWriter()
            list.field(1, value)  // ListValue.values
            var outer = ProtoWriter()
            outer.field(6, list.bytes)  // Value.list_value
            value = outer.bytes
        }
        var event = ProtoWriter()
        event.field(9, value)  // Event.anything
        #expect {
            try transcoder.decode(event.bytes, as: "shop.v1.Event")
        } throws: { error in
            (error as? ProtoError)?.message.contains("nest deeper than 100 levels") == true
        }
    }

    @Test func anAnyCountsTheLevelsAroundIt() throws {
        let transcoder = ProtoJSON(pool: try ProtoDescriptorPool(descriptorSet: fixture("wkt.pb")))
        // An Any holding an Event holding an Any …: the payload's depth adds to the depth outside it.
        var node = JSONNode.object([])
        for _ in 0..<80 {
            node = .object([("@type", .string("type.googleapis.com/shop.v1.Event")), ("detail", node)])
        }
        #expect {
            try transcoder.encode(.object([("detail", node)]), as: "shop.v1.Event")
        } throws: { error in
            (error as? ProtoError)?.message.contains("nest deeper than 100 levels") == true
        }
    }
}

import Foundation
import Testing
import TreatyModel
import TreatyTestSupport

/// The kinds' facts agree with the JSON Schema editors validate contracts with.
@Suite struct InteractionKindTests {
    @Test func everyKindOfTheFormatHasItsSchemaEntryAndNoOtherKindDoes() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestSupport.path("Schemas/treaty-contract-v1.schema.json"))))
        let schema = try JSONParser.parse(bytes).root
        let definitions = try #require(schema["$defs"]?.objectValue)
        let properties = try #require(definitions["interaction"]?["properties"]?.objectValue)
        for name in Interaction.Kind.Name.allCases {
            if let definition = name.schemaDefinition {
                #expect(definitions[definition] != nil, "no $defs/\(definition)")
                #expect(properties[name.rawValue]?["$ref"]?.stringValue == "#/$defs/\(definition)", "interaction.\(name.rawValue)")
            } else {
                #expect(properties[name.rawValue] == nil, "\(name.rawValue) is not a key of the format")
            }
        }
        // And the schema names no kind Treaty does not know.
        let kindKeys = Set(properties.keys).subtracting(["name", "description", "given", "mock", "scenario", "callbacks"])
        #expect(kindKeys == Set(Interaction.Kind.Name.contractKeys.map(\.rawValue)))
    }

    @Test func factsFollowTheKind() {
        #expect(Interaction.Kind.Name.contractKeys.count == 9)
        #expect(Interaction.Kind.Name.allCases.filter(\.usesRawPort) == [.tcp, .udp])
        #expect(!Interaction.Kind.Name.message.servedByMock && Interaction.Kind.Name.message.verifiedByVerifier)
        #expect(!Interaction.Kind.Name.synchronousMessage.verifiedByVerifier && !Interaction.Kind.Name.synchronousMessage.inContractFormat)
        #expect(Interaction.Kind.Name.synchronousMessage.displayName == "synchronous message")
    }
}

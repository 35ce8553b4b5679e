import Foundation
import Testing
@testable import TreatyModel
import TreatyTestSupport

/// `grpc` interactions and `"protobuf"` descriptors: what loads, and the located diagnostics for
/// what does not.
@Suite struct GRPCContractTests {
    /// Serves files from memory, by the name the contract gives.
    struct Files: ReferenceResolver {
        var files: [String: [UInt8]]
        func resolve(_ reference: String, from contractFile: String) -> ResolvedReference {
            files[reference].map { .contents($0, path: reference) } ?? .missing(path: reference)
        }
    }

    static let inventory = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: TestSupport.path("Contracts/protos/inventory.pb")))))!

    func load(_ interactions: String, protobuf: String = #"{"descriptorSet": "inventory.pb"}"#,
              files: [String: [UInt8]] = ["inventory.pb": inventory]) -> ContractLoader.Result {
        let text = #"{"treaty": 1, "consumer": "c", "provider": "p", "protobuf": \#(protobuf), "interactions": [\#(interactions)]}"#
        return ContractLoader(resolver: Files(files: files)).load(Array(text.utf8), file: "c.json")
    }

    func errors(_ result: ContractLoader.Result) -> [String] {
        result.diagnostics.filter { $0.severity == .error }.map { "\($0.pointer.map { "\($0)" } ?? ""): \($0.message)" }
    }

    @Test func theExampleContractLoadsEveryCallKind() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestSupport.path("Contracts/web-shop--inventory.json"))))
        let result = ContractLoader(resolver: Files(files: ["protos/inventory.pb": Self.inventory])).load(bytes, file: "inventory.json")
        let contract = try #require(result.contract, "\(result.diagnostics)")
        #expect(contract.interactions.compactMap(\.grpc).map(\.callKind)
                == ["unary", "unary", "server streaming", "client streaming", "bidirectional streaming"])
        let failing = try #require(contract.interactions[1].grpc)
        #expect(failing.status == .notFound && failing.details.count == 1)
        #expect(contract.interactions[2].grpc?.responses.map(\.afterMilliseconds) == [0, 50, 50])
    }

    @Test func missingCorruptOrAbsentDescriptorsAreLocated() {
        let call = #"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStock", "request": {"message": {}}, "response": {"message": {}}}}"#
        let missing = errors(load(call, files: [:]))
        #expect(missing.count == 1 && missing[0].hasPrefix("/protobuf/descriptorSet: descriptor set \"inventory.pb\" not found") && missing[0].contains("protoc --include_imports"))
        #expect(errors(load(call, files: ["inventory.pb": [0x0A, 0xFF, 0x01]])).contains { $0.contains("is not a readable descriptor set") })
        let noProtobuf = ContractLoader().load(Array(#"{"treaty": 1, "consumer": "c", "provider": "p", "interactions": [\#(call)]}"#.utf8), file: "c.json")
        #expect(errors(noProtobuf).contains { $0.hasPrefix("/interactions/0/grpc/method: a grpc interaction needs the contract's \"protobuf\"") })
        #expect(errors(ContractLoader().load(Array(#"{"treaty": 1, "consumer": "c", "provider": "p", "protobuf": {"protoFiles": ["x.proto"]}, "interactions": []}"#.utf8), file: "c.json"))
                .contains { $0.contains(".proto files are not compiled here") })
    }

    @Test func unknownMethodsAndMisfitMessagesAreLocated() {
        let unknown = errors(load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStok", "request": {"message": {}}, "response": {"message": {}}}}"#))
        #expect(unknown.contains { $0.contains("no method \"inventory.v1.Inventory/GetStok\"") && $0.contains("did you mean \"inventory.v1.Inventory/GetStock\"") })
        let misfit = errors(load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStock", "request": {"message": {"skew": "x"}}, "response": {"message": {"available": "many"}}}}"#))
        #expect(misfit.contains { $0.hasPrefix("/interactions/0/grpc/request/message: the message does not fit inventory.v1.StockRequest") && $0.contains("no field \"skew\"") })
        #expect(misfit.contains { $0.hasPrefix("/interactions/0/grpc/response/message:") && $0.contains("expected an integer") })
    }

    @Test func streamingShapesStatusesDetailsAndMetadataAreChecked() {
        let wrongShape = errors(load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/Restock", "request": {"message": {}}, "response": {"stream": []}}}"#))
        #expect(wrongShape.contains { $0.contains("streams its requests: write \"stream\"") })
        #expect(wrongShape.contains { $0.contains("sends one response message: write \"message\"") })
        let status = errors(load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStock", "request": {"message": {}}, "response": {"status": "NOPE"}}}"#))
        #expect(status.contains { $0.hasPrefix("/interactions/0/grpc/response/status: \"status\" is a gRPC status name") })
        let details = errors(load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStock", "request": {"message": {}}, "response": {"status": "NOT_FOUND", "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest"}]}}}"#))
        #expect(details.contains { $0.contains("detail type google.rpc.BadRequest is not in the descriptors") })
        let metadata = errors(load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStock", "request": {"metadata": {"grpc-timeout": "1S", "trace-bin": "%%%"}, "message": {}}, "response": {"message": {}}}}"#))
        #expect(metadata.contains { $0.contains("\"grpc-timeout\" is reserved by gRPC") })
        #expect(metadata.contains { $0.contains("binary metadata \"trace-bin\"") })
        // An OK unary answer needs its message; an error needs none.
        #expect(errors(load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStock", "request": {"message": {}}, "response": {}}}"#))
                .contains { $0.contains("needs its response \"message\"") })
        #expect(errors(load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStock", "request": {"message": {}}, "response": {"status": 5}}}"#)).isEmpty)
    }

    @Test func statusDetailsRoundTripThroughGoogleRPCStatus() throws {
        let transcoder = ProtoJSON(pool: try ProtoDescriptorPool(descriptorSet: Self.inventory))
        let detail = try JSONParser.parse(Array(#"{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "R", "domain": "d", "metadata": {"k": "v"}}"#.utf8)).root
        let bytes = try GRPCStatusDetails.encode(code: 5, message: "gone", details: [detail], transcoder)
        let decoded = try GRPCStatusDetails.decode(bytes, transcoder)
        #expect(decoded.code == 5 && decoded.message == "gone" && decoded.details == [detail])
        #expect(throws: ProtoError.self) { try GRPCStatusDetails.decode([0x1A, 0x05, 0x0A], transcoder) }
    }

    @Test func unknownFieldsSurviveARoundTripAndDefaultsCanBeShown() throws {
        let transcoder = ProtoJSON(pool: try ProtoDescriptorPool(descriptorSet: Self.inventory))
        // sku = "A" (field 1), then unknown fields 9 (varint 150) and 10 (bytes "hi") from a newer schema.
        let bytes: [UInt8] = [0x0A, 0x01, 0x41, 0x48, 0x96, 0x01, 0x52, 0x02, 0x68, 0x69]
        let kept = try transcoder.decode(bytes, as: "inventory.v1.StockChange", options: .keepUnknownFields)
        #expect(kept["\(ProtoJSON.unknownFieldsKey)"]?.stringValue == Base64Text.encode([0x48, 0x96, 0x01, 0x52, 0x02, 0x68, 0x69]))
        #expect(try transcoder.encode(kept, as: "inventory.v1.StockChange") == bytes)
        #expect(try transcoder.decode(bytes, as: "inventory.v1.StockChange").objectValue?.members.map(\.key) == ["sku"])
        let defaults = try transcoder.decode([], as: "inventory.v1.Stock", options: .includeDefaults)
        #expect(defaults.rendered() == #"{"sku":"","available":0,"warehouses":[]}"#)
    }

    @Test func reflectionIndexesFilesAndSymbols() throws {
        let pool = try ProtoDescriptorPool(descriptorSet: Self.inventory)
        #expect(pool.fileOfSymbol["inventory.v1.Inventory.Reserve"] == "inventory.proto")
        #expect(pool.fileOfSymbol["google.protobuf.Timestamp"] == "google/protobuf/timestamp.proto")
        #expect(pool.fileWithDependencies("inventory.proto").map(\.name)
                == ["google/protobuf/timestamp.proto", "google/rpc/error_details.proto", "inventory.proto"])
    }
}


extension GRPCContractTests {
    @Test func patternsTakeTheFormDecodedMessagesHave() throws {
        // Proto field names, an enum-free int64-free message here: updated_at → updatedAt.
        let result = load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStock", "request": {"message": {"sku": "A"}}, "response": {"message": {"sku": "A", "updated_at": "2026-01-01T00:00:00Z"}}}}"#)
        let call = try #require(result.contract?.interactions.first?.grpc, "\(result.diagnostics)")
        #expect(call.responses[0].pattern.example.rendered() == #"{"sku":"A","updatedAt":"2026-01-01T00:00:00Z"}"#)
        // Request stream messages have no timing (the verifier sends them as one body).
        let timed = load(#"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/Restock", "request": {"stream": [{"message": {}, "after": "1s"}]}, "response": {"message": {}}}}"#)
        #expect(timed.diagnostics.contains { $0.severity == .warning && $0.message.contains("unknown key \"after\"") })
    }

    @Test func sixtyFourBitIntegersAndEnumNumbersAreRewritten() throws {
        let pool = try ProtoDescriptorPool(descriptorSet: [UInt8](Data(contentsOf: URL(fileURLWithPath: TestSupport.path("Fixtures/protobuf/shop.pb")))))
        let context = LoadContext(file: "c.json", resolver: NoReferences())
        let decoder = GRPCDecoder(context: context)
        let written = try #require(PatternDecoder(context: context).decode(
            try JSONParser.parse(Array(#"{"id": 42, "status": 2, "history": [1], "big": {"$integer": 7}}"#.utf8)).root, .root))
        let canonical = decoder.canonical(written, type: "shop.v1.Order", pool: pool, pointer: .root)
        #expect(canonical.example.rendered() == #"{"id":"42","status":"SHIPPED","history":["PAID"],"big":7}"#)
        // `$integer` on the uint64 field takes the decimal string decoded messages have: no warning.
        #expect(context.diagnostics.isEmpty, "\(context.diagnostics)")
        guard case .object(let members) = canonical, case .matcher(let big)? = members.first(where: { $0.key == "big" })?.pattern,
              case .integer64(_, let unsigned) = big.rule else { Issue.record("big is not integer64: \(canonical)"); return }
        #expect(unsigned)
    }
}

extension GRPCContractTests {
    @Test func aSetMadeWithoutItsImportsIsRefusedWithWhatToDo() throws {
        let lacking = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestSupport.path("Fixtures/protobuf/inventory-without-imports.pb"))))
        let call = #"{"name": "a", "grpc": {"method": "inventory.v1.Inventory/GetStock", "request": {"message": {}}, "response": {"message": {}}}}"#
        let found = errors(load(call, files: ["inventory.pb": lacking]))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("/protobuf/descriptorSet: inventory.pb refers to types it does not define: google.protobuf.Timestamp, google.rpc.ErrorInfo") == true)
        #expect(found.first?.contains("protoc --include_imports") == true)
    }
}

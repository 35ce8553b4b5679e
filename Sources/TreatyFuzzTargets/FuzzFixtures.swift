import Foundation
import TreatyModel

/// The fixed inputs the targets judge and serve against: the descriptors in Fixtures/fuzz/tree.pb and
/// the contract in Fixtures/fuzz/contract.json, read once from the package's folder.
enum FuzzFixtures {
    static let folder: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz").path

    static func bytes(_ name: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
            fatalError("fuzz fixture \(folder)/\(name) is missing")
        }
        return [UInt8](data)
    }

    static let treeDescriptors = bytes("tree.pb")

    static let transcoder: ProtoJSON = {
        do { return ProtoJSON(pool: try ProtoDescriptorPool(descriptorSet: treeDescriptors)) } catch {
            fatalError("Fixtures/fuzz/tree.pb does not load: \(error)")
        }
    }()

    /// The contract every answer and mock request is judged against.
    static let contract: Contract = {
        let result = ContractLoader(resolver: TreeDescriptors()).load(bytes("contract.json"), file: "contract.json")
        guard let contract = result.contract else {
            fatalError("Fixtures/fuzz/contract.json does not load: \(result.diagnostics.map(\.description))")
        }
        return contract
    }()
}

/// Resolves any reference to the tree descriptors, from memory: the targets do no file I/O per input.
struct TreeDescriptors: ReferenceResolver {
    func resolve(_ reference: String, from contractFile: String) -> ResolvedReference {
        reference == "tree.pb" ? .contents(FuzzFixtures.treeDescriptors, path: reference) : .missing(path: reference)
    }
}

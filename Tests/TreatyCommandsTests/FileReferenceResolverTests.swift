import Foundation
import Testing
@testable import TreatyCommands
@testable import TreatyModel

/// The contract root is a folder, not a string prefix: a sibling whose name starts with the
/// root's (`root-secrets` beside `root`) is outside it.
@Suite struct FileReferenceResolverTests {
    /// `BASE/root/c.json`, `BASE/root/body.json` and `BASE/root-secrets/{secret.txt,secret.proto}`.
    func layout() throws -> (base: URL, resolver: FileReferenceResolver, contract: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("treaty-refs-\(UUID().uuidString)")
        let root = base.appendingPathComponent("root"), secrets = base.appendingPathComponent("root-secrets")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: root.appendingPathComponent("body.json"))
        try Data("TOKEN=s3cret".utf8).write(to: secrets.appendingPathComponent("secret.txt"))
        try Data("syntax = \"proto3\";".utf8).write(to: secrets.appendingPathComponent("secret.proto"))
        return (base, FileReferenceResolver(root: root.path), root.appendingPathComponent("c.json").path)
    }

    @Test func aSiblingFolderThatSharesTheRootsNameIsOutside() throws {
        let (base, resolver, contract) = try layout()
        defer { try? FileManager.default.removeItem(at: base) }
        guard case .contents(let bytes, _) = resolver.resolve("body.json", from: contract) else {
            Issue.record("a file inside the root resolves")
            return
        }
        #expect(bytes == Array("{}".utf8))
        guard case .escapesRoot = resolver.resolve("../root-secrets/secret.txt", from: contract) else {
            Issue.record("../root-secrets/secret.txt is outside the root")
            return
        }
    }

    @Test func protoImportPathsInASiblingFolderAreOutside() throws {
        let (base, resolver, contract) = try layout()
        defer { try? FileManager.default.removeItem(at: base) }
        let answer = resolver.compileProtos([], importPaths: ["../root-secrets"], from: contract)
        guard case .escapesRoot(let path, _) = answer else {
            Issue.record("an import path in root-secrets must escape the root, got \(answer)")
            return
        }
        #expect(path.hasSuffix("root-secrets"))
    }

    @Test(arguments: [
        ("/work/root", "/work/root", true), ("/work/root/a/b", "/work/root", true), ("/work/root/", "/work/root", true),
        ("/work/root-secrets/key", "/work/root", false), ("/work/rootx", "/work/root", false), ("/work", "/work/root", false),
        ("/anything", "/", true),
    ])
    func containmentComparesComponents(path: String, folder: String, inside: Bool) {
        #expect(isInside(path, folder: folder) == inside)
    }
}

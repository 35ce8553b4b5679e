/// Reads files that a contract refers to (`bodyFile`). The model does no I/O itself: the command
/// layer supplies a resolver that reads the disk and keeps references inside the contract root.
public protocol ReferenceResolver: Sendable {
    /// Resolves `reference`, written in `contractFile`, relative to that file's folder.
    func resolve(_ reference: String, from contractFile: String) -> ResolvedReference

    /// Compiles `.proto` files (relative to the contract's folder) into a descriptor set with
    /// `protoc --include_imports`; `.unreadable` with what to do when protoc is missing or fails.
    func compileProtos(_ files: [String], importPaths: [String], from contractFile: String) -> ResolvedReference
}

extension ReferenceResolver {
    public func compileProtos(_ files: [String], importPaths: [String], from contractFile: String) -> ResolvedReference {
        .unreadable(path: files.joined(separator: ", "), reason: ".proto files are not compiled here; give a descriptor set (\"descriptorSet\")")
    }
}

public enum ResolvedReference: Sendable {
    case contents([UInt8], path: String)
    case missing(path: String)
    case escapesRoot(path: String, root: String)
    case unreadable(path: String, reason: String)
}

/// A resolver for contracts that may not refer to files (tests, contracts added through an API).
public struct NoReferences: ReferenceResolver {
    public init() {}
    public func resolve(_ reference: String, from contractFile: String) -> ResolvedReference {
        .unreadable(path: reference, reason: "file references are not available here")
    }
}

import Foundation
import TreatyModel

/// Resolves `bodyFile` references against the disk, relative to the contract's folder, and refuses
/// any that leave the contract root (by `..` or a symbolic link).
struct FileReferenceResolver: ReferenceResolver {
    /// Absolute, standardised root folder.
    let root: String

    init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
    }

    func resolve(_ reference: String, from contractFile: String) -> ResolvedReference {
        let folder = URL(fileURLWithPath: contractFile).deletingLastPathComponent()
        let target = URL(fileURLWithPath: reference, relativeTo: folder).standardizedFileURL
        let real = target.resolvingSymlinksInPath().path
        let shown = relativeToCurrent(target.path)
        guard real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            return .escapesRoot(path: shown, root: relativeToCurrent(root))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory) else { return .missing(path: shown) }
        if isDirectory.boolValue { return .unreadable(path: shown, reason: "it is a folder") }
        guard let data = FileManager.default.contents(atPath: real) else {
            return .unreadable(path: shown, reason: "permission denied or I/O error")
        }
        return .contents([UInt8](data), path: shown)
    }
}

/// `path` relative to the current folder when it lies inside it, for shorter messages.
func relativeToCurrent(_ path: String) -> String {
    let current = FileManager.default.currentDirectoryPath
    let prefix = current.hasSuffix("/") ? current : current + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}

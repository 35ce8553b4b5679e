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
        guard isInside(real, folder: root) else {
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
    guard path != current, isInside(path, folder: current) else { return path }
    return String(path.dropFirst(current.count).drop { $0 == "/" })
}

extension FileReferenceResolver {
    /// Runs `protoc --include_imports --descriptor_set_out` on `.proto` files named relative to the
    /// contract's folder (import paths too; the folder itself is always one). `TREATY_PROTOC`
    /// names another protoc.
    func compileProtos(_ files: [String], importPaths: [String], from contractFile: String) -> ResolvedReference {
        let folder = URL(fileURLWithPath: contractFile).deletingLastPathComponent()
        var includes = [folder.path]
        for path in importPaths {
            let url = URL(fileURLWithPath: path, relativeTo: folder).standardizedFileURL
            guard isInside(url.resolvingSymlinksInPath().path, folder: root) else {
                return .escapesRoot(path: relativeToCurrent(url.path), root: relativeToCurrent(root))
            }
            includes.append(url.path)
        }
        var sources: [String] = []
        for file in files {
            switch resolve(file, from: contractFile) {
            case .contents: sources.append(URL(fileURLWithPath: file, relativeTo: folder).standardizedFileURL.path)
            case let other: return other
            }
        }
        let environment = ProcessInfo.processInfo.environment
        let protoc = environment["TREATY_PROTOC"] ?? ((environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { String($0) + "/protoc" }.first { FileManager.default.isExecutableFile(atPath: $0) })
        let shown = files.joined(separator: ", ")
        guard let protoc else {
            return .unreadable(path: shown, reason: "protoc is not installed; install it (apt-get install protobuf-compiler) or give a descriptor set made with protoc --include_imports --descriptor_set_out")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("treaty-\(UUID().uuidString).pb")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: protoc)
        process.arguments = ["--include_imports", "--descriptor_set_out=\(output.path)"] + includes.map { "-I" + $0 } + sources
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            return .unreadable(path: shown, reason: "\(protoc) cannot run: \(error)")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = FileManager.default.contents(atPath: output.path) else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .unreadable(path: shown, reason: "protoc failed: \(text.isEmpty ? "exit status \(process.terminationStatus)" : text)")
        }
        return .contents([UInt8](data), path: shown)
    }
}

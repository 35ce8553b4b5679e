import Foundation
import Synchronization
import TreatyMatching
import TreatyModel

/// Finds and loads contract files for the commands.
struct ContractFiles {
    let resolver: FileReferenceResolver

    init(root: String) {
        resolver = FileReferenceResolver(root: root)
    }

    struct Loaded {
        var contracts: [Contract] = []
        var diagnostics: [Diagnostic] = []
        var filesRead = 0
        /// By contract file: a hash of what the contract was built from (its bytes and every file
        /// it refers to, as read), so `--watch` reloads only contracts whose sources changed.
        var sources: [String: Int] = [:]
    }

    /// Expands `paths` (files, or folders searched recursively for `*.json`) and loads each contract.
    ///
    /// Files named directly are contracts. Inside folders, JSON files without a `"treaty"` key are
    /// data (such as `bodyFile` targets) and are skipped; files that are not JSON at all are reported.
    func load(_ paths: [String]) -> Loaded {
        var loaded = Loaded()
        let recorder = SourceRecorder(resolver)
        let loader = ContractLoader(resolver: recorder)
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                loaded.diagnostics.append(Diagnostic(.error, "no such file or folder", file: path))
                continue
            }
            let files = isDirectory.boolValue ? jsonFiles(in: path) : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    loaded.diagnostics.append(Diagnostic(.error, "cannot read the file (permission denied or I/O error)", file: file))
                    continue
                }
                let bytes = [UInt8](data)
                if isDirectory.boolValue, !looksLikeContract(bytes) { continue }
                loaded.filesRead += 1
                let result = loader.load(bytes, file: file)
                loaded.sources[file] = recorder.take(contract: file, bytes: bytes)
                loaded.diagnostics += result.diagnostics
                if let contract = result.contract {
                    let checks = ContractChecker.check(contract)
                    loaded.diagnostics += checks
                    if !checks.containsErrors { loaded.contracts.append(contract) }
                }
            }
        }
        return loaded
    }

    /// JSON that parses and is neither a Treaty contract nor a Pact file is data. Unparseable JSON counts
    /// as a contract so that its syntax error is reported.
    func looksLikeContract(_ bytes: [UInt8]) -> Bool {
        guard let document = try? JSONParser.parse(bytes) else { return true }
        return ContractLoader.isContract(document.root)
    }

    func jsonFiles(in folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files: [String] = []
        while let next = enumerator.nextObject() as? String {
            if next.hasSuffix(".json") {
                let base = folder.hasSuffix("/") ? folder : folder + "/"
                files.append(base + next)
            }
        }
        return files.sorted()
    }
}

/// Passes references on to the file resolver and remembers, per contract file, a hash of each
/// answer, so a contract's sources can be compared between two loads.
final class SourceRecorder: ReferenceResolver {
    let base: FileReferenceResolver
    private let answers = Mutex<[String: [Int]]>([:])

    init(_ base: FileReferenceResolver) { self.base = base }

    func resolve(_ reference: String, from contractFile: String) -> ResolvedReference {
        record(base.resolve(reference, from: contractFile), for: contractFile)
    }

    func compileProtos(_ files: [String], importPaths: [String], from contractFile: String) -> ResolvedReference {
        record(base.compileProtos(files, importPaths: importPaths, from: contractFile), for: contractFile)
    }

    /// The hash of `bytes` and of the references `contract` resolved, which are then forgotten.
    func take(contract: String, bytes: [UInt8]) -> Int {
        let references = answers.withLock { $0.removeValue(forKey: contract) ?? [] }
        var hasher = Hasher()
        Self.combine(bytes, into: &hasher)
        hasher.combine(references)
        return hasher.finalize()
    }

    private func record(_ answer: ResolvedReference, for contract: String) -> ResolvedReference {
        var hasher = Hasher()
        switch answer {
        case .contents(let bytes, let path): hasher.combine(0); Self.combine(bytes, into: &hasher); hasher.combine(path)
        case .missing(let path): hasher.combine(1); hasher.combine(path)
        case .escapesRoot(let path, let root): hasher.combine(2); hasher.combine(path); hasher.combine(root)
        case .unreadable(let path, let reason): hasher.combine(3); hasher.combine(path); hasher.combine(reason)
        }
        let hash = hasher.finalize()
        answers.withLock { $0[contract, default: []].append(hash) }
        return answer
    }

    /// The bytes as one block: an array's own `hash(into:)` takes them one at a time.
    private static func combine(_ bytes: [UInt8], into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

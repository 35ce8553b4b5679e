import Foundation
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
    }

    /// Expands `paths` (files, or folders searched recursively for `*.json`) and loads each contract.
    ///
    /// Files named directly are contracts. Inside folders, JSON files without a `"treaty"` key are
    /// data (such as `bodyFile` targets) and are skipped; files that are not JSON at all are reported.
    func load(_ paths: [String]) -> Loaded {
        var loaded = Loaded()
        let loader = ContractLoader(resolver: resolver)
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

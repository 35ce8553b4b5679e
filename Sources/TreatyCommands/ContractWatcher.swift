import Foundation
import TreatyMock
import TreatyModel

/// `treaty mock --watch`: polls the contract files (and files beside them, such as body files)
/// and, when they change, swaps in the contracts whose sources changed (the contract file or a
/// file it refers to). The others keep serving as they were: their call counts, scenarios and
/// sequences go on. A version that does not load leaves the last good one serving, and its
/// diagnostics are printed.
struct ContractWatcher {
    let options: ContractOptions
    let unmatchedStatus: Int
    /// What each served contract was built from (`ContractFiles.Loaded.sources`).
    let sources: [String: Int]
    let interval: Duration = .milliseconds(500)

    func run(_ runtime: MockServer.Runtime) async {
        var last = fingerprint()
        var served = sources
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let now = fingerprint()
            guard now != last else { continue }
            last = now
            reload(runtime, served: &served)
        }
    }

    /// Reloads the contracts whose sources differ from `served`, and records their new sources.
    func reload(_ runtime: MockServer.Runtime, served: inout [String: Int]) {
        let loaded = ContractFiles(root: options.root).load(options.resolvedPaths())
        printDiagnostics(loaded.diagnostics)
        if loaded.diagnostics.containsErrors {
            Terminal.err("treaty mock: the change does not load; still serving the last good contracts (fix the errors above)")
            return
        }
        for contract in loaded.contracts where loaded.sources[contract.file] != served[contract.file] {
            guard let index = runtime.contracts.firstIndex(where: { $0.file == contract.file }) else {
                Terminal.err("treaty mock: \(contract.file) is new; restart treaty mock to give it a port")
                continue
            }
            let previous = runtime.responders[index].current
            let state = MockState(selectedStates: previous.state.selectedStates)
            // Positions may mean other interactions now: their call counts start again.
            runtime.journal.setInteractions(contract: index, count: contract.interactions.count)
            runtime.responders[index].replace(with: MockResponder(contract: contract, unmatchedStatus: unmatchedStatus, state: state))
            served[contract.file] = loaded.sources[contract.file]
            Terminal.err("treaty mock: reloaded \(contract.file) (\(plural(contract.interactions.count, "interaction")))")
        }
    }

    /// Modification time and size of every file under the watched paths.
    func fingerprint() -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        let manager = FileManager.default
        for path in options.resolvedPaths() {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            let files = isDirectory.boolValue
                ? ((manager.enumerator(atPath: path)?.allObjects as? [String]) ?? []).map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let attributes = try? manager.attributesOfItem(atPath: file) else { continue }
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                let size = (attributes[.size] as? NSNumber)?.doubleValue ?? 0
                out[file] = [modified, size]
            }
        }
        return out
    }
}

import ArgumentParser
import Foundation
import TreatyModel

/// `treaty import pact FILE...`: write Treaty contracts equivalent to Pact files.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert contracts from other tools into Treaty contracts.",
        subcommands: [ImportPactCommand.self]
    )
}

struct ImportPactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pact",
        abstract: "Write a Treaty contract for each Pact file (V1–V4).",
        discussion: "What the Treaty format cannot carry over is reported as a warning located in the Pact file."
    )

    @Argument(help: "Pact files.")
    var files: [String]

    @Option(help: "Folder to write the contracts to.")
    var output: String = "Contracts"

    @Flag(help: "Replace contracts that already exist.")
    var overwrite = false

    func run() async throws {
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            Terminal.err("\(output): error: cannot create the output folder (\((error as NSError).localizedDescription))")
            throw ExitCode(2)
        }
        let loader = ContractLoader(resolver: FileReferenceResolver(root: "/"))
        var failed = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                Terminal.err("\(file): error: cannot read the file")
                failed = true
                continue
            }
            let result = loader.load([UInt8](data), file: file)
            guard let contract = result.contract else {
                printDiagnostics(result.diagnostics)
                failed = true
                continue
            }
            let written = ContractWriter.write(contract, description: "Imported from the Pact file \((file as NSString).lastPathComponent).")
            printDiagnostics(result.diagnostics + written.diagnostics)
            let target = output + "/" + Self.fileName(consumer: contract.consumer, provider: contract.provider)
            if FileManager.default.fileExists(atPath: target), !overwrite {
                Terminal.err("\(target): error: exists; pass --overwrite to replace it")
                failed = true
                continue
            }
            let text = written.document.rendered(pretty: true) + "\n"
            guard FileManager.default.createFile(atPath: target, contents: Data(text.utf8)) else {
                Terminal.err("\(target): error: cannot write the file")
                failed = true
                continue
            }
            Terminal.out("wrote \(target) (\(plural(written.interactionsWritten, "interaction")) of \(contract.interactions.count))")
        }
        if failed { throw ExitCode(2) }
    }

    /// `web-shop--orders.json`, with characters unsafe in file names replaced.
    static func fileName(consumer: String, provider: String) -> String {
        func safe(_ s: String) -> String {
            String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" })
        }
        return "\(safe(consumer))--\(safe(provider)).json"
    }
}

import Foundation
import TreatyFuzzTargets

// One executable for every fuzz target. Built with `-DFUZZING -sanitize=fuzzer,address` (make fuzz),
// libFuzzer drives it and TREATY_FUZZ_TARGET names the target; built plainly, it replays the files
// given on the command line through a target, as the fuzzer would run them.

#if FUZZING
/// The target libFuzzer runs, from TREATY_FUZZ_TARGET (read once, before the first input).
let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["TREATY_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("treaty-fuzz: set TREATY_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to this module's entry point, so libFuzzer's own `main`
/// is not the one that runs: start its driver from here.
@main
struct FuzzMain {
    static func main() {
        _ = fuzzTarget
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzOneInput))
    }
}
#else
@main
struct FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            print("usage: treaty-fuzz \(names) FILE...   (replays inputs; make fuzz builds the fuzzer)")
            exit(2)
        }
        for file in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("treaty-fuzz: cannot read \(file)")
                exit(1)
            }
            target.run([UInt8](data))
            print("\(file): ok")
        }
    }
}
#endif

import Foundation

/// Runs blocking work (libcurl's easy API) on a thread of its own, so it never blocks Swift's
/// cooperative pool, where servers and tests of the same process may run.
enum BlockingWork {
    /// Stack of the verifier's own threads. Bodies may nest 512 levels (the JSON parser's limit),
    /// and parsing, matching and rendering a diff recurse once per level: 1 MiB overflowed at 511
    /// levels in a debug build. Only the pages a thread touches are committed.
    static let stackBytes = 16 << 20

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.stackSize = stackBytes
            thread.start()
        }
    }

    /// Runs throwing blocking work; the error comes back in the result.
    static func run<T: Sendable, E: Error>(_ work: @escaping @Sendable () throws(E) -> T) async -> Result<T, E> {
        await run { () -> Result<T, E> in
            do throws(E) { return .success(try work()) } catch { return .failure(error) }
        }
    }
}

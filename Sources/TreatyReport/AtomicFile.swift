import Foundation
import TreatyModel

/// Writes files so that readers see the old content or the new, never a part: a temporary file
/// beside the target, flushed to disk, then renamed over it.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String, what: String) throws(TreatyError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(what, path, "cannot create \(temporary): \(errorText())") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = errorText()
                close(fd)
                unlink(temporary)
                throw failure(what, path, reason)
            }
            offset += n
        }
        let synced = fsync(fd) == 0
        let reason = synced ? "" : errorText()
        close(fd)
        guard synced else {
            unlink(temporary)
            throw failure(what, path, reason)
        }
        guard rename(temporary, path) == 0 else {
            let reason = errorText()
            unlink(temporary)
            throw failure(what, path, reason)
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }

    private static func failure(_ what: String, _ path: String, _ reason: String) -> TreatyError {
        TreatyError(code: .report, message: "cannot write \(what) to \(path)", cause: reason)
    }
}

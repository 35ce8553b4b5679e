import Foundation

/// Writes to standard output and standard error without buffering surprises.
enum Terminal {
    static func out(_ text: String) { write(STDOUT_FILENO, text + "\n") }

    static func err(_ text: String) { write(STDERR_FILENO, text + "\n") }

    /// Writes all of `text`; when the reader went away (`treaty verify … | head`: EPIPE, with
    /// SIGPIPE ignored), the rest is dropped instead of the process dying.
    private static func write(_ descriptor: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }

    /// Colour only on a terminal, and never when NO_COLOR is set.
    static let colour: Bool = {
        if ProcessInfo.processInfo.environment["NO_COLOR"].map({ !$0.isEmpty }) ?? false { return false }
        return isatty(STDOUT_FILENO) != 0
    }()

    static func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

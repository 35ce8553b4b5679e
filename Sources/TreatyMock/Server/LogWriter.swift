#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOConcurrencyHelpers

/// Writes log lines on a thread of its own, so an event loop never waits for a slow or full
/// standard error (a terminal scrolled back, a pipe nobody reads): `log` only appends to a bounded
/// queue. When the queue is full, lines are dropped and counted, and the writer says how many once
/// it catches up. `flush(within:)` at shutdown writes what is left.
public final class LogWriter: Sendable {
    private struct Queue {
        var lines: [String] = []
        var bytes = 0
        /// Dropped since the writer last said so.
        var dropped = 0
        var droppedTotal = 0
        var closed = false
        /// The writer is in write(2) with lines taken from the queue.
        var writing = false
    }

    private let descriptor: Int32
    private let maximumLines: Int
    private let maximumBytes: Int
    private let queue = ConditionLock(value: false)  // true: lines are waiting
    private let state = NIOLockedValueBox(Queue())

    /// `maximumLines` and `maximumBytes` bound what waits in memory for a reader that is slower than
    /// the mock.
    public init(descriptor: Int32 = STDERR_FILENO, maximumLines: Int = 10_000, maximumBytes: Int = 4 << 20) {
        self.descriptor = descriptor
        self.maximumLines = max(1, maximumLines)
        self.maximumBytes = max(1, maximumBytes)
        let thread = Thread { [self] in run() }
        thread.name = "treaty-log"
        thread.start()
    }

    /// Queues `line` (a newline is added); never blocks on the output.
    public func log(_ line: String) {
        let accepted = state.withLockedValue { q -> Bool in
            guard !q.closed else { return false }
            guard q.lines.count < maximumLines, q.bytes + line.utf8.count < maximumBytes else {
                q.dropped += 1
                q.droppedTotal += 1
                return false
            }
            q.lines.append(line)
            q.bytes += line.utf8.count + 1
            return true
        }
        if accepted {
            queue.lock()
            queue.unlock(withValue: true)
        }
    }

    /// Lines dropped so far because the output could not keep up.
    public var dropped: Int { state.withLockedValue { $0.droppedTotal } }

    /// Waits until every queued line is written, or `seconds` pass; later lines are not accepted.
    /// True when everything was written.
    @discardableResult
    public func flush(within seconds: Double) -> Bool {
        state.withLockedValue { $0.closed = true }
        queue.lock()
        queue.unlock(withValue: true)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if state.withLockedValue({ $0.lines.isEmpty && !$0.writing && $0.dropped == 0 }) { return true }
            usleep(2_000)
        }
        return false
    }

    private func run() {
        while true {
            queue.lock(whenValue: true)
            queue.unlock(withValue: false)
            while let (lines, dropped) = take() {
                var text = lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
                if dropped > 0 {
                    text += "treaty mock: \(dropped) log line\(dropped == 1 ? "" : "s") dropped: standard error was not read fast enough\n"
                }
                write(text)
                state.withLockedValue { $0.writing = false }
            }
        }
    }

    /// Everything queued (and the count of dropped lines, reset), or nil when there is nothing.
    private func take() -> ([String], Int)? {
        state.withLockedValue { q in
            guard !q.lines.isEmpty || q.dropped > 0 else { return nil }
            let taken = (q.lines, q.dropped)
            q.lines = []
            q.bytes = 0
            q.dropped = 0
            q.writing = true
            return taken
        }
    }

    /// Writes all of `text`; a reader that went away (EPIPE) drops the rest.
    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}

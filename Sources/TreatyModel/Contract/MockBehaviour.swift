/// How the mock misbehaves on purpose for one interaction, so consumers can be tested against slow
/// and failing providers: `"mock": {"delay": "250ms", "fault": "reset"}`.
public struct MockBehaviour: Sendable, Equatable {
    /// Milliseconds to wait before answering: a fixed time or a range drawn uniformly per request.
    public var delay: ClosedRange<Int>?
    public var fault: Fault?

    public init(delay: ClosedRange<Int>? = nil, fault: Fault? = nil) {
        self.delay = delay
        self.fault = fault
    }

    public enum Fault: Sendable, Equatable {
        /// The connection is reset (TCP RST) instead of answered.
        case reset
        /// The connection closes without an answer.
        case empty
        /// Bytes that are not HTTP, then the connection closes.
        case malformed
        /// The head and half of the body, then the connection closes.
        case truncate
        /// The whole answer, `bytes` at a time every `everyMilliseconds`, then the connection closes.
        case trickle(bytes: Int, everyMilliseconds: Int)
    }
}

/// Durations as contracts write them: `"250ms"`, `"2s"`, `"1.5s"`, `"1m"`.
public enum DurationText {
    /// Milliseconds, or nil when `text` is not a duration.
    public static func milliseconds(_ text: String) -> Int? {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(number) else { continue }
            let ms = value * factor
            guard ms.isFinite, ms >= 0, ms <= 3_600_000 else { return nil }
            return Int(ms.rounded())
        }
        return nil
    }
}

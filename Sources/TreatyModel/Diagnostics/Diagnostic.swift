/// A problem found in a contract, located by file, line, column and JSON pointer.
///
/// Prints compiler-style: `file:line:column: error: message [at /json/pointer]`, so editors and CI
/// logs link straight to the spot.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Comparable {
        case note, warning, error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.note, .warning, .error]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    public var severity: Severity
    public var message: String
    public var file: String
    public var position: SourcePosition?
    public var pointer: JSONPointer?

    public init(
        _ severity: Severity,
        _ message: String,
        file: String,
        position: SourcePosition? = nil,
        pointer: JSONPointer? = nil
    ) {
        self.severity = severity
        self.message = message
        self.file = file
        self.position = position
        self.pointer = pointer
    }

    public var description: String {
        var text = file
        if let position { text += ":\(position.line):\(position.column)" }
        text += ": \(severity.rawValue): \(message)"
        if let pointer, !pointer.isRoot { text += " [at \(pointer)]" }
        return text
    }
}

extension Array where Element == Diagnostic {
    /// True when at least one diagnostic is an error.
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// Diagnostics in file, then source order, so output is stable.
    public func sortedBySource() -> [Diagnostic] {
        enumerated().sorted { a, b in
            if a.element.file != b.element.file { return a.element.file < b.element.file }
            let pa = a.element.position ?? .start
            let pb = b.element.position ?? .start
            if pa != pb { return pa < pb }
            return a.offset < b.offset
        }.map(\.element)
    }
}

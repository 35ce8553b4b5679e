/// An error from a Treaty library: a code to branch on, a message for people and an optional cause.
public struct TreatyError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invalidContract, io, transport, report, server, usage
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A contract did not load; the diagnostics say where.
        public static let invalidContract = Code(.invalidContract)
        /// Reading or writing a file failed.
        public static let io = Code(.io)
        /// A network exchange failed (connection, TLS, timeout).
        public static let transport = Code(.transport)
        /// A report could not be written.
        public static let report = Code(.report)
        /// A server could not start or serve.
        public static let server = Code(.server)
        /// The command line asked for something impossible.
        public static let usage = Code(.usage)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    public var cause: String?

    public init(code: Code, message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message) (\(code): \(cause))" }
        return "\(message) (\(code))"
    }
}

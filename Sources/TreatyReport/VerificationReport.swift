import TreatyMatching
import TreatyModel

/// The outcome of verifying contracts against a provider: what every report format renders.
public struct VerificationReport: Sendable {
    public var suites: [SuiteResult]
    /// When the run started, ISO 8601.
    public var timestamp: String
    /// Seconds from start to end of the run, when known; interactions run concurrently, so this
    /// is less than the sum of their durations.
    public var wallSeconds: Double?

    public init(suites: [SuiteResult], timestamp: String, wallSeconds: Double? = nil) {
        self.suites = suites
        self.timestamp = timestamp
        self.wallSeconds = wallSeconds
    }

    /// The run's wall time, or the sum of durations when the wall time is not known.
    public var elapsed: Double { wallSeconds ?? duration }

    public var tests: Int { suites.reduce(0) { $0 + $1.cases.count } }
    public var failures: Int { suites.reduce(0) { $0 + $1.failures } }
    public var errors: Int { suites.reduce(0) { $0 + $1.errors } }
    public var duration: Double { suites.reduce(0) { $0 + $1.duration } }
    public var passed: Bool { failures == 0 && errors == 0 }
}

/// One contract's results.
public struct SuiteResult: Sendable {
    public var file: String
    public var consumer: String
    public var provider: String
    public var properties: [(name: String, value: String)]
    public var cases: [CaseResult]

    public init(file: String, consumer: String, provider: String, properties: [(name: String, value: String)] = [], cases: [CaseResult]) {
        self.file = file
        self.consumer = consumer
        self.provider = provider
        self.properties = properties
        self.cases = cases
    }

    public var failures: Int { cases.filter { if case .failed = $0.outcome { true } else { false } }.count }
    public var errors: Int { cases.filter { if case .error = $0.outcome { true } else { false } }.count }
    public var skipped: Int { cases.filter { if case .skipped = $0.outcome { true } else { false } }.count }
    public var duration: Double { cases.reduce(0) { $0 + $1.duration } }
    public var name: String { "\(consumer) → \(provider)" }
}

/// One interaction's result.
public struct CaseResult: Sendable {
    public enum Outcome: Sendable {
        case passed
        /// The provider answered, but not as the contract says.
        case failed([Mismatch])
        /// The exchange could not be judged: connection refused, timeout, state setup failed, …
        case error(kind: String, message: String)
        case skipped(reason: String)
    }

    public var name: String
    public var kind: String
    public var duration: Double
    public var outcome: Outcome
    /// What was sent and received, for `system-out` and verbose output.
    public var log: String
    /// For body mismatches: expected (`-`) against actual (`+`) body, line by line.
    public var bodyDiff: String?

    public init(name: String, kind: String = "http", duration: Double, outcome: Outcome, log: String = "", bodyDiff: String? = nil) {
        self.name = name
        self.kind = kind
        self.duration = duration
        self.outcome = outcome
        self.log = log
        self.bodyDiff = bodyDiff
    }

    public var passed: Bool { if case .passed = outcome { true } else { false } }
}

import Foundation
import TreatyMatching
import TreatyModel

/// Writes a verification report as JSON (`Schemas/treaty-verify-report-v1.schema.json`): every
/// suite, every case, its mismatches, body diff and exchange log. Also reads one back, to re-run
/// only what failed.
public enum JSONReport {
    /// The value of the `format` key, which tells this report from other JSON files.
    public static let format = "treaty-verify-report"
    /// The value of the `version` key.
    public static let version = 1

    /// Writes `report` to `path` atomically.
    /// - Throws: `TreatyError` with code `.report` when the file cannot be written.
    public static func write(_ report: VerificationReport, to path: String) throws(TreatyError) {
        try AtomicFile.write(render(report), to: path, what: "the JSON report")
    }

    /// The report as pretty-printed JSON, UTF-8.
    public static func render(_ report: VerificationReport) -> [UInt8] {
        let skipped = report.suites.reduce(0) { $0 + $1.skipped }
        let root = JSONNode.object([
            ("format", .string(format)),
            ("version", .number(version)),
            ("timestamp", .string(report.timestamp)),
            ("durationSeconds", seconds(report.elapsed)),
            ("passed", .bool(report.passed)),
            ("totals", totals(tests: report.tests, failed: report.failures, errors: report.errors, skipped: skipped)),
            ("suites", .array(report.suites.map(suiteNode))),
        ])
        var bytes = root.renderedBytes(pretty: true)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The suite file and case name of every case whose outcome is `failed` or `error`, in report order.
    /// - Throws: `TreatyError` with code `.usage` when `bytes` are not a report written by `render`.
    public static func failedCases(in bytes: [UInt8]) throws(TreatyError) -> [(file: String, name: String)] {
        let hint = "give the file that `treaty verify --json FILE` wrote"
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes).root
        } catch {
            throw TreatyError(code: .usage, message: "the report is not JSON; \(hint)", cause: String(describing: error))
        }
        guard root["format"]?.stringValue == format else {
            throw TreatyError(
                code: .usage,
                message: "the file is not a Treaty verify report (no \"format\": \"\(format)\"); \(hint)",
                cause: nil
            )
        }
        guard let suites = root["suites"]?.arrayValue else {
            throw TreatyError(code: .usage, message: "the report has no \"suites\" array; \(hint)", cause: nil)
        }
        var result: [(file: String, name: String)] = []
        for suite in suites {
            guard let file = suite["file"]?.stringValue, let cases = suite["cases"]?.arrayValue else {
                throw TreatyError(code: .usage, message: "a suite in the report lacks \"file\" or \"cases\"; \(hint)", cause: nil)
            }
            for testCase in cases {
                guard let name = testCase["name"]?.stringValue, let outcome = testCase["outcome"]?.stringValue else {
                    throw TreatyError(code: .usage, message: "a case in \(file) lacks \"name\" or \"outcome\"; \(hint)", cause: nil)
                }
                if outcome == "failed" || outcome == "error" { result.append((file: file, name: name)) }
            }
        }
        return result
    }

    // MARK: - Building

    private static func suiteNode(_ suite: SuiteResult) -> JSONNode {
        let properties: [(String, JSONNode)] = suite.properties.map { ($0.name, JSONNode.string($0.value)) }
        return .object([
            ("file", .string(suite.file)),
            ("consumer", .string(suite.consumer)),
            ("provider", .string(suite.provider)),
            ("properties", .object(properties)),
            ("totals", totals(tests: suite.cases.count, failed: suite.failures, errors: suite.errors, skipped: suite.skipped)),
            ("durationSeconds", seconds(suite.duration)),
            ("cases", .array(suite.cases.map(caseNode))),
        ])
    }

    private static func caseNode(_ result: CaseResult) -> JSONNode {
        var members: [(String, JSONNode)] = [
            ("name", .string(result.name)),
            ("kind", .string(result.kind)),
        ]
        switch result.outcome {
        case .passed:
            members.append(("outcome", .string("passed")))
            members.append(("durationSeconds", seconds(result.duration)))
        case .failed(let mismatches):
            members.append(("outcome", .string("failed")))
            members.append(("durationSeconds", seconds(result.duration)))
            members.append(("mismatches", .array(mismatches.map(mismatchNode))))
        case .error(let kind, let message):
            members.append(("outcome", .string("error")))
            members.append(("durationSeconds", seconds(result.duration)))
            members.append(("errorKind", .string(kind)))
            members.append(("message", .string(message)))
        case .skipped(let reason):
            members.append(("outcome", .string("skipped")))
            members.append(("durationSeconds", seconds(result.duration)))
            members.append(("message", .string(reason)))
        }
        if let diff = result.bodyDiff { members.append(("bodyDiff", .string(diff))) }
        members.append(("log", .string(result.log)))
        return .object(members)
    }

    private static func mismatchNode(_ m: Mismatch) -> JSONNode {
        .object([
            ("path", .string(m.path)),
            ("expected", .string(m.expected)),
            ("actual", .string(m.actual)),
            ("rule", .string(m.rule)),
            ("message", .string(m.message)),
        ])
    }

    private static func totals(tests: Int, failed: Int, errors: Int, skipped: Int) -> JSONNode {
        .object([
            ("tests", .number(tests)),
            ("passed", .number(max(0, tests - failed - errors - skipped))),
            ("failed", .number(failed)),
            ("errors", .number(errors)),
            ("skipped", .number(skipped)),
        ])
    }

    /// Seconds as a JSON number with three decimals (`0.012`), never an exponent.
    private static func seconds(_ value: Double) -> JSONNode {
        JSONNode(.number(JSONNumber(text: decimalSeconds(value))))
    }
}

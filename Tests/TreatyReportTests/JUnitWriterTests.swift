import TreatyTestSupport
import Foundation
import Testing
@testable import TreatyMatching
@testable import TreatyReport

func validationErrors(file: String, schema: String) -> String? { TestSupport.schemaErrors(file: file, schema: schema) }
let junitSchema = TestSupport.junitSchema

func sampleReport(body: String = "{}") -> VerificationReport {
    let mismatch = Mismatch(path: "$.body.name", expected: "\"Ada\"", actual: body, rule: "equality", message: "expected \"Ada\", got \(body)")
    return VerificationReport(suites: [
        SuiteResult(file: "Contracts/a.json", consumer: "web", provider: "orders", cases: [
            CaseResult(name: "passes", duration: 0.0123, outcome: .passed, log: "> GET /\n< 200"),
            CaseResult(name: "fails <&>\"'", duration: 1.5, outcome: .failed([mismatch]), log: "< body: \(body)"),
            CaseResult(name: "errors", duration: 0.000001, outcome: .error(kind: "connection-refused", message: "refused")),
        ]),
        SuiteResult(file: "Contracts/b.json", consumer: "web", provider: "catalog", cases: []),
    ], timestamp: "2026-11-25T10:00:00Z")
}

@Suite struct JUnitWriterTests {
    func write(_ report: VerificationReport) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("treaty-junit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("report.xml").path
        try JUnitWriter.write(report, to: path)
        return path
    }

    @Test func reportValidatesAgainstTheJenkinsSchema() throws {
        let path = try write(sampleReport())
        #expect(validationErrors(file: path, schema: junitSchema) == nil)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#"<testsuites name="treaty verify" tests="3" failures="1" errors="1" time="1.512">"#))
        #expect(text.contains(#"<testcase name="fails &lt;&amp;&gt;&quot;'" classname="web.orders" time="1.500">"#))
        #expect(text.contains(#"<failure type="mismatch" message="1 mismatch: $.body.name: expected &quot;Ada&quot;, got {}">"#))
        #expect(text.contains(#"<error type="connection-refused" message="refused">refused</error>"#))
        #expect(text.contains(#"<property name="provider" value="orders"/>"#))
    }

    @Test func controlCharactersAndBrokenUTF8FromAProviderStayWellFormed() throws {
        let hostile = "a\u{0}b\u{1B}[31mred\u{7}" + String(decoding: [0xFF, 0xFE, 0x41], as: UTF8.self) + "]]><x>"
        let path = try write(sampleReport(body: hostile))
        #expect(validationErrors(file: path, schema: junitSchema) == nil)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#"a\x00b\x1B[31mred\x07"#))
        #expect(text.contains("]]&gt;&lt;x&gt;"))
    }

    @Test func writingIsAtomicAndReplacesAnOldReport() throws {
        let path = try write(sampleReport())
        try JUnitWriter.write(VerificationReport(suites: [], timestamp: "t"), to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#"tests="0""#))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == ["report.xml"])
    }

    @Test func anUnwritableTargetIsAClearError() {
        #expect {
            try JUnitWriter.write(sampleReport(), to: "/nonexistent-folder/report.xml")
        } throws: { error in
            (error as? TreatyError)?.message == "cannot write the JUnit report to /nonexistent-folder/report.xml"
        }
    }

    @Test func secondsAreAlwaysPlainDecimals() {
        #expect(decimalSeconds(0.000001) == "0.000")
        #expect(decimalSeconds(1234.5678) == "1234.568")
        #expect(decimalSeconds(.nan) == "0.000")
        #expect(decimalSeconds(1e-20) == "0.000")
    }
}

import TreatyModel

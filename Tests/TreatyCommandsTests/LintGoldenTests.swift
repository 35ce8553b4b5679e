import Testing
import TreatyTestSupport
@testable import TreatyCommands

@Suite struct LintGoldenTests {
    /// Every broken contract in Fixtures/ gets its located diagnostics, and nothing crashes.
    @Test func brokenContractsGiveTheRecordedDiagnostics() throws {
        let folder = TestSupport.path("Fixtures/broken-contracts")
        let report = LintCommand.lint([folder], root: folder)
        let text = report.text.replacingOccurrences(of: TestSupport.packageRoot + "/", with: "") + "\n"
        #expect(report.failed)
        if let diff = try TestSupport.compareGolden(text, to: "Fixtures/broken-contracts/expected-lint.txt") {
            Issue.record(Comment(rawValue: diff))
        }
    }

    @Test func theExampleContractsAreClean() {
        let report = LintCommand.lint([TestSupport.path("Contracts")], root: TestSupport.packageRoot)
        #expect(!report.failed)
        #expect(report.text == "8 contracts checked: 0 errors, 0 warnings")
    }

    @Test func aMissingPathIsAnError() {
        let report = LintCommand.lint(["/no/such/place"], root: "/")
        #expect(report.failed)
        #expect(report.text.hasPrefix("/no/such/place: error: no such file or folder"))
    }
}

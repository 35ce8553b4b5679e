import CLibXML2
import Foundation

/// Paths and checks shared by Treaty's test targets.
public enum TestSupport {
    /// The package's root folder, found from this file's location.
    public static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    public static func path(_ relative: String) -> String { packageRoot + "/" + relative }

    /// The JUnit schema Jenkins validates reports with.
    public static var junitSchema: String { path("Fixtures/junit/junit-10.xsd") }

    /// Validates `file` against the XSD at `schema` with libxml2; nil when valid.
    public static func schemaErrors(file: String, schema: String) -> String? {
        guard let parserContext = xmlSchemaNewParserCtxt(schema) else { return "cannot open schema \(schema)" }
        defer { xmlSchemaFreeParserCtxt(parserContext) }
        guard let parsed = xmlSchemaParse(parserContext) else { return "cannot parse schema \(schema)" }
        defer { xmlSchemaFree(parsed) }
        guard let validator = xmlSchemaNewValidCtxt(parsed) else { return "cannot create a validator" }
        defer { xmlSchemaFreeValidCtxt(validator) }
        let result = xmlSchemaValidateFile(validator, file, 0)
        return result == 0 ? nil : "\(file) does not validate against \(schema) (libxml2 result \(result))"
    }

    /// A new empty folder under the system's temporary folder.
    public static func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("treaty-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.path
    }

    /// Compares `actual` with the golden file at `relative`; with TREATY_RECORD=1 rewrites it instead.
    /// Returns a unified-style diff description when they differ, nil when equal.
    public static func compareGolden(_ actual: String, to relative: String) throws -> String? {
        let file = path(relative)
        if ProcessInfo.processInfo.environment["TREATY_RECORD"] == "1" {
            try actual.write(toFile: file, atomically: true, encoding: .utf8)
            return nil
        }
        guard let expected = try? String(contentsOfFile: file, encoding: .utf8) else {
            return "golden file \(relative) is missing; run the tests with TREATY_RECORD=1 to create it"
        }
        if expected == actual { return nil }
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var diff = ["golden file \(relative) differs (re-record with TREATY_RECORD=1 if the change is intended):"]
        for i in 0..<max(e.count, a.count) {
            let el = i < e.count ? String(e[i]) : nil
            let al = i < a.count ? String(a[i]) : nil
            if el != al {
                if let el { diff.append("- \(el)") }
                if let al { diff.append("+ \(al)") }
            }
        }
        return diff.joined(separator: "\n")
    }
}

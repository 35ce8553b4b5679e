import CLibXML2
import Foundation
import TreatyModel

/// Writes a verification report as JUnit XML through libxml2: `testsuites` › one `testsuite` per
/// contract › one `testcase` per interaction. The file is written to a temporary name beside the
/// target, flushed and renamed, so a reader never sees half a report.
public enum JUnitWriter {
    /// Writes `report` to `path` atomically.
    /// - Throws: `TreatyError` with code `.report` when the file cannot be written.
    public static func write(_ report: VerificationReport, to path: String) throws(TreatyError) {
        try AtomicFile.write(Array(render(report).utf8), to: path, what: "the JUnit report")
    }

    /// The report as XML text (for tests and for printing).
    public static func render(_ report: VerificationReport) -> String {
        let document = makeDocument(report)
        defer { xmlFreeDoc(document) }
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpFormatMemoryEnc(document, &buffer, &size, "UTF-8", 1)
        defer { free(buffer) }
        guard let buffer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: buffer, count: Int(size)), as: UTF8.self)
    }

    static func makeDocument(_ report: VerificationReport) -> xmlDocPtr {
        let document = xmlNewDoc("1.0")!
        let root = xmlNewNode(nil, "testsuites")!
        xmlDocSetRootElement(document, root)
        set(root, "name", "treaty verify")
        set(root, "tests", String(report.tests))
        set(root, "failures", String(report.failures))
        set(root, "errors", String(report.errors))
        set(root, "time", decimalSeconds(report.elapsed))

        for suite in report.suites {
            let node = xmlNewChild(root, nil, "testsuite", nil)!
            set(node, "name", suite.name)
            set(node, "tests", String(suite.cases.count))
            set(node, "failures", String(suite.failures))
            set(node, "errors", String(suite.errors))
            set(node, "skipped", String(suite.skipped))
            set(node, "time", decimalSeconds(suite.duration))
            set(node, "timestamp", report.timestamp)
            set(node, "file", suite.file)

            let properties = xmlNewChild(node, nil, "properties", nil)!
            let all = [("consumer", suite.consumer), ("provider", suite.provider), ("contract", suite.file)] + suite.properties
            for (name, value) in all {
                let property = xmlNewChild(properties, nil, "property", nil)!
                set(property, "name", name)
                set(property, "value", value)
            }
            for result in suite.cases {
                let testcase = xmlNewChild(node, nil, "testcase", nil)!
                set(testcase, "name", result.name)
                set(testcase, "classname", "\(suite.consumer).\(suite.provider)")
                set(testcase, "time", decimalSeconds(result.duration))
                switch result.outcome {
                case .passed: break
                case .failed(let mismatches):
                    var text = MismatchText.render(mismatches)
                    if let diff = result.bodyDiff, !diff.isEmpty { text += "\n\nbody diff (- expected example, + actual):\n" + diff }
                    let failure = textChild(testcase, "failure", text)
                    set(failure, "type", "mismatch")
                    set(failure, "message", MismatchText.summary(mismatches))
                case .error(let kind, let message):
                    let error = textChild(testcase, "error", message)
                    set(error, "type", kind)
                    set(error, "message", message)
                case .skipped(let reason):
                    let skipped = textChild(testcase, "skipped", "")
                    set(skipped, "message", reason)
                }
                if !result.log.isEmpty { _ = textChild(testcase, "system-out", result.log) }
            }
        }
        return document
    }

    private static func set(_ node: xmlNodePtr, _ name: String, _ value: String) {
        xmlNewProp(node, name, XMLText.sanitized(value))
    }

    /// Adds an element with escaped text content (xmlNewTextChild escapes; xmlNewChild does not).
    private static func textChild(_ parent: xmlNodePtr, _ name: String, _ text: String) -> xmlNodePtr {
        xmlNewTextChild(parent, nil, name, XMLText.sanitized(text))!
    }
}

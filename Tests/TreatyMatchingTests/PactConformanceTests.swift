import Foundation
import Testing
@testable import TreatyMatching
@testable import TreatyModel

/// Runs every case of the Pact specification project (v2 and v3: request, response and message)
/// through Treaty's Pact reader and matching engine; each verdict must agree with the case.
@Suite struct PactConformanceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/pact-specification")

    static let cases: [String] = {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var files: [String] = []
        while let next = enumerator.nextObject() as? String {
            if next.hasSuffix(".json") { files.append(next) }
        }
        return files.sorted()
    }()

    @Test func allCasesArePresent() {
        #expect(Self.cases.count == 348)
    }

    @Test(arguments: cases)
    func verdictAgrees(_ file: String) throws {
        let data = try [UInt8](Data(contentsOf: Self.root.appendingPathComponent(file)))
        let document = try JSONParser.parse(data).root
        let expectedMatch = try #require(document["match"]?.boolValue as Bool?)
        let expected = try #require(document["expected"])
        let actual = try #require(document["actual"])
        let context = LoadContext(file: file, resolver: NoReferences())
        let decoder = PactHTTPDecoder(context: context)
        let mismatches: [Mismatch]
        if file.contains("/request/") {
            let spec = try #require(decoder.decodeRequest(expected, .root), "\(context.diagnostics)")
            mismatches = RequestMatcher.match(Self.request(actual), spec)
        } else if file.contains("/response/") {
            let spec = try #require(decoder.decodeResponse(expected, .root), "\(context.diagnostics)")
            mismatches = ResponseMatcher.match(Self.response(actual), spec)
        } else {
            let spec = try #require(decoder.decodeMessage(expected, .root), "\(context.diagnostics)")
            mismatches = MessageMatcher.match(Self.messageBody(actual), spec)
        }
        let comment = document["comment"]?.stringValue ?? ""
        #expect(mismatches.isEmpty == expectedMatch, "\(file): \(comment)\n\(mismatches.map(\.description).joined(separator: "\n"))")
    }

    static func headers(_ node: JSONNode?) -> [(name: String, value: String)] {
        node?.objectValue?.members.map { ($0.key, $0.value.stringValue ?? $0.value.rendered()) } ?? []
    }

    static func body(_ object: JSONNode) -> [UInt8] {
        guard let body = object["body"] else { return [] }
        // A string body is the raw body, as Pact files write it; null is the JSON null body.
        if case .string(let s) = body.value { return Array(s.utf8) }
        return body.renderedBytes()
    }

    static func request(_ node: JSONNode) -> HTTPRequestData {
        var query = ""
        if let q = node["query"] {
            if let s = q.stringValue {
                query = s
            } else if let object = q.objectValue {
                query = object.members.flatMap { member in
                    (member.value.arrayValue ?? [member.value]).map {
                        PercentEncoding.encode(member.key) + "=" + PercentEncoding.encode($0.stringValue ?? $0.rendered())
                    }
                }.joined(separator: "&")
            }
        }
        return HTTPRequestData(method: node["method"]?.stringValue ?? "GET", path: node["path"]?.stringValue ?? "/", query: query,
                               headers: headers(node["headers"]), body: body(node))
    }

    static func response(_ node: JSONNode) -> HTTPResponseData {
        HTTPResponseData(status: node["status"]?.numberValue?.intValue ?? 200, headers: headers(node["headers"]), body: body(node))
    }

    static func messageBody(_ node: JSONNode) -> [UInt8] {
        guard let contents = node["contents"] ?? node["body"] else { return [] }
        return contents.renderedBytes()
    }
}

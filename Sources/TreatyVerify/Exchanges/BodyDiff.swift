import TreatyMatching
import TreatyModel

extension Verifier {
    /// `actual` with object keys in the order the example writes them (extra keys last), so the
    /// diff shows differences, not reordering.
    static func aligned(_ actual: JSONNode, to example: JSONNode) -> JSONNode {
        switch (actual.value, example.value) {
        case (.object(let a), .object(let e)):
            var members: [JSONObject.Member] = []
            for key in e.keys { if let m = a.member(key) { members.append(JSONObject.Member(key: key, value: aligned(m.value, to: e[key]!))) } }
            let known = Set(e.keys)
            members += a.members.filter { !known.contains($0.key) }
            return JSONNode(.object(JSONObject(members)))
        case (.array(let a), .array(let e)) where !e.isEmpty:
            return .array(a.enumerated().map { aligned($0.element, to: e[min($0.offset, e.count - 1)]) })
        default:
            return actual
        }
    }

    /// Pretty JSON (or text) of the contract's example against the actual body.
    package static func bodyDiff(expected: BodySpec?, actual: [UInt8]) -> String? {
        guard let expected else { return nil }
        let expectedText: String
        var actualText = String(decoding: actual.prefix(64 << 10), as: UTF8.self)
        switch expected {
        case .json(let p):
            expectedText = p.example.rendered(pretty: true)
            if let node = try? JSONParser.parse(actual).root { actualText = aligned(node, to: p.example).rendered(pretty: true) }
        default:
            expectedText = String(decoding: expected.exampleBytes, as: UTF8.self)
        }
        let diff = TextDiff.unified(expected: expectedText, actual: actualText)
        return diff.isEmpty ? nil : diff
    }
}

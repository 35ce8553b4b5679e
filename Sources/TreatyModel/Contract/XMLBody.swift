import TreatyXML

/// XML bodies are matched in a JSON shape, so one engine covers both:
/// `<animals><alligator name="Mary">red</alligator></animals>` reads as
/// `{"animals": {"alligator": [{"@name": "Mary", "#text": "red"}]}}`.
///
/// Element and attribute names lose their prefixes (two documents that bind the same namespace to
/// different prefixes compare equal); children are grouped by name in order of first appearance;
/// an element's own text, trimmed, is `#text` when not empty; its namespace URI, if any, is `#ns`.
public enum XMLBody {
    /// Parses `bytes` and returns the JSON shape, or the parse error.
    public static func json(from bytes: [UInt8]) -> Result<JSONNode, XMLReader.ParseError> {
        do {
            let root = try XMLReader.parse(bytes)
            return .success(.object([(root.name, json(root))]))
        } catch {
            return .failure(error)
        }
    }

    static func json(_ element: XMLElement) -> JSONNode {
        var members: [(String, JSONNode)] = element.attributes.map { ("@" + $0.name, .string($0.value)) }
        if let namespace = element.namespace { members.append(("#ns", .string(namespace))) }
        var groups: [(String, [JSONNode])] = []
        for child in element.elements {
            let node = json(child)
            if let i = groups.firstIndex(where: { $0.0 == child.name }) {
                groups[i].1.append(node)
            } else {
                groups.append((child.name, [node]))
            }
        }
        members += groups.map { ($0.0, JSONNode.array($0.1)) }
        let text = element.text
        if !text.isEmpty { members.append(("#text", .string(text))) }
        return .object(members)
    }

    /// True for `application/xml`, `text/xml` and `+xml` types.
    public static func isXML(_ contentType: String) -> Bool {
        let essence = (contentType.split(separator: ";", maxSplits: 1).first?.trimmingCharacters() ?? "").lowercased()
        return essence == "application/xml" || essence == "text/xml" || essence.hasSuffix("+xml")
    }
}

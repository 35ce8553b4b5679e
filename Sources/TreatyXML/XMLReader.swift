import CLibXML2

/// Parses XML documents with libxml2 into `XMLElement` values.
///
/// Safe for untrusted input: no network access, no external entities or DTD loading, no entity
/// expansion into the tree; nesting deeper than 256 levels is refused.
public enum XMLReader {
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var message: String
        public var line: Int
        public var column: Int
        public var description: String { "\(line):\(column): \(message)" }
    }

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    public static let maximumDepth = 256

    /// Parses `bytes` as one XML document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> XMLElement {
        _ = initialized
        guard !bytes.isEmpty else { throw ParseError(message: "empty document", line: 1, column: 1) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOCDATA.rawValue)
        guard let context = xmlNewParserCtxt() else { throw ParseError(message: "libxml2 could not create a parser", line: 1, column: 1) }
        defer { xmlFreeParserCtxt(context) }
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                xmlCtxtReadMemory(context, chars.baseAddress, Int32(chars.count), nil, nil, options)
            }
        }
        guard let document else {
            if let error = xmlCtxtGetLastError(context) {
                let message = error.pointee.message.map { String(cString: $0) } ?? "not well-formed"
                throw ParseError(message: message.trimmingXMLWhitespace(), line: Int(error.pointee.line), column: Int(error.pointee.int2))
            }
            throw ParseError(message: "not well-formed XML", line: 1, column: 1)
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw ParseError(message: "no root element", line: 1, column: 1) }
        return try element(root, depth: 0)
    }

    static func element(_ node: xmlNodePtr, depth: Int) throws(ParseError) -> XMLElement {
        if depth > maximumDepth {
            throw ParseError(message: "elements nested deeper than \(maximumDepth) levels", line: Int(xmlGetLineNo(node)), column: 1)
        }
        var result = XMLElement(name: string(node.pointee.name) ?? "", namespace: node.pointee.ns.flatMap { string($0.pointee.href) })
        var attribute = node.pointee.properties
        while let a = attribute {
            let value = a.pointee.children.flatMap { child -> String? in
                guard let content = xmlNodeListGetString(node.pointee.doc, child, 1) else { return nil }
                defer { free(content) }
                return String(cString: content)
            } ?? ""
            result.attributes.append(XMLAttribute(name: string(a.pointee.name) ?? "", namespace: a.pointee.ns.flatMap { string($0.pointee.href) },
                                                  value: value))
            attribute = a.pointee.next
        }
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                result.children.append(.element(try element(c, depth: depth + 1)))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = string(c.pointee.content) { result.children.append(.text(content)) }
            default:
                break  // comments, processing instructions
            }
            child = c.pointee.next
        }
        return result
    }

    static func string(_ pointer: UnsafePointer<xmlChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    static func string(_ pointer: UnsafeMutablePointer<xmlChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}

/// Bodies: JSON, text, base64 bytes, body files, forms, multipart and XML.
extension HTTPDecoder {
    func decodeBody(_ reader: ObjectReader, headers: [HeaderSpec], allowMultipart: Bool = true) -> BodySpec? {
        let contentType = headers.first(named: "Content-Type")?.values.first?.example.stringValue?.lowercased()
        let declaredJSON = contentType.map(MediaType.isJSON) ?? false
        if reader["body"] != nil, reader["bodyFile"] != nil {
            context.error("give either \"body\" or \"bodyFile\", not both", at: reader.object.member("bodyFile")?.keyPosition,
                          reader.pointer / "bodyFile")
        }
        if let compare = reader.object.member("compare"), reader["bodyFile"] == nil {
            context.warning("\"compare\" applies to \"bodyFile\" only; ignored here", at: compare.keyPosition, reader.pointer / "compare")
        }
        if allowMultipart, let parts = reader["multipart"] {
            if reader["body"] != nil || reader["bodyFile"] != nil {
                context.error("give \"multipart\" or a body, not both", at: reader.object.member("multipart")?.keyPosition, reader.pointer / "multipart")
            }
            return decodeMultipart(parts, reader.pointer / "multipart")
        }
        if let body = reader["body"], contentType.map({ $0.hasPrefix("application/x-www-form-urlencoded") }) ?? false {
            if let text = body.stringValue {
                let pairs = FormFields.parse(text)
                return .form(pairs.map { HeaderSpec(name: $0.0, values: $0.1.map(Pattern.string)) })
            }
            return .form(decodeNamedValues(body, reader.pointer / "body", what: "form field"))
        }
        if let body = reader["body"] {
            guard let pattern = patterns.decode(body, reader.pointer / "body") else { return nil }
            if case .string(let text) = body.value, let contentType, XMLBody.isXML(contentType) {
                return xml(Array(text.utf8), at: body.position, reader.pointer / "body")
            }
            if case .string = pattern.example.value, !declaredJSON {
                return .text(pattern)
            }
            return .json(pattern)
        }
        guard let fileNode = reader["bodyFile"] else { return nil }
        let pointer = reader.pointer / "bodyFile"
        guard let reference = fileNode.stringValue, !reference.isEmpty else {
            context.error("\"bodyFile\" must be a path relative to the contract file", at: fileNode.position, pointer)
            return nil
        }
        switch context.resolver.resolve(reference, from: context.file) {
        case .missing(let path):
            context.error("bodyFile \"\(reference)\" not found (looked for \(path))", at: fileNode.position, pointer)
        case .escapesRoot(let path, let root):
            context.error("bodyFile \"\(reference)\" resolves to \(path), outside the contract root \(root); keep referenced files inside it",
                          at: fileNode.position, pointer)
        case .unreadable(let path, let reason):
            context.error("bodyFile \"\(reference)\" (\(path)) cannot be read: \(reason)", at: fileNode.position, pointer)
        case .contents(let bytes, let path):
            let isJSON = declaredJSON || (contentType == nil && path.lowercased().hasSuffix(".json"))
            if let compare = reader.string("compare") {
                switch compare {
                case "exact": break
                case "contentType":
                    let type = contentType ?? ContentSniffer.mediaType(of: bytes)
                    if !ContentSniffer.matches(bytes, expected: type) {
                        context.error("bodyFile \"\(reference)\" is not \(type) (its bytes look like \(ContentSniffer.mediaType(of: bytes)))",
                                      at: fileNode.position, pointer)
                    }
                    return .contentType(type, example: bytes)
                default:
                    context.error("\"compare\" is \"exact\" or \"contentType\", found \"\(compare)\"", at: reader["compare"]?.position,
                                  reader.pointer / "compare")
                }
            }
            if contentType.map(XMLBody.isXML) ?? path.lowercased().hasSuffix(".xml") {
                return xml(bytes, at: fileNode.position, pointer)
            }
            guard isJSON else { return .bytes(bytes) }
            let sub = LoadContext(file: path, resolver: context.resolver)
            do {
                let document = try JSONParser.parse(bytes)
                for duplicate in document.duplicateKeys {
                    sub.error("duplicate key \"\(duplicate.key)\"; JSON readers disagree on which one wins, keep one",
                              at: duplicate.position, duplicate.pointer)
                }
                let pattern = PatternDecoder(context: sub).decode(document.root, .root)
                context.append(sub.diagnostics)
                return pattern.map(BodySpec.json)
            } catch {
                context.error("bodyFile \"\(reference)\" is not valid JSON: \(error.message) (at \(path):\(error.position))",
                              at: fileNode.position, pointer)
            }
        }
        return nil
    }
}

extension HTTPDecoder {
    /// `"multipart": [{"name": "meta", "body": {...}}, {"name": "file", "filename": "a.png", "contentType": "image/png", "bodyFile": "a.png"}]`
    func decodeMultipart(_ node: JSONNode, _ pointer: JSONPointer) -> BodySpec? {
        guard let list = node.arrayValue, !list.isEmpty else {
            context.error("\"multipart\" must be a non-empty array of parts", at: node.position, pointer)
            return nil
        }
        var parts: [MultipartPart] = []
        for (i, element) in list.enumerated() {
            guard let reader = ObjectReader(element, pointer / i, context, what: "a multipart part") else { continue }
            reader.checkKeys(["name", "filename", "contentType", "body", "bodyFile", "compare"])
            guard let name = reader.string("name", required: true) else { continue }
            let type = reader.string("contentType")
            let headers = type.map { [HeaderSpec("Content-Type", $0)] } ?? []
            parts.append(MultipartPart(name: name, filename: reader.string("filename"), contentType: type,
                                       body: decodeBody(reader, headers: headers, allowMultipart: false)))
        }
        return .multipart(parts)
    }

    /// An XML body compared by structure: attributes in any order, namespaces by URI.
    func xml(_ bytes: [UInt8], at position: SourcePosition, _ pointer: JSONPointer) -> BodySpec? {
        switch XMLBody.json(from: bytes) {
        case .success(let shape): return .xml(Pattern(literal: shape), source: bytes)
        case .failure(let error):
            context.error("the XML body is not well-formed: \(error)", at: position, pointer)
            return nil
        }
    }
}

/// Form fields in written order, repeated names grouped.
enum FormFields {
    static func parse(_ text: String) -> [(String, [String])] {
        var pairs: [(String, [String])] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(kv[0], plusAsSpace: true)
            let value = kv.count > 1 ? PercentEncoding.decode(kv[1], plusAsSpace: true) : ""
            if let i = pairs.firstIndex(where: { $0.0 == name }) { pairs[i].1.append(value) } else { pairs.append((name, [value])) }
        }
        return pairs
    }
}

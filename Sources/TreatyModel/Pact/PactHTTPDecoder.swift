/// Reads the request and response of a Pact HTTP interaction (V1–V4) into Treaty's specs.
struct PactHTTPDecoder {
    let context: LoadContext

    func decodeRequest(_ node: JSONNode, _ pointer: JSONPointer) -> HTTPRequestSpec? {
        guard let object = node.objectValue else {
            context.error("a Pact request must be an object, found \(node.typeName)", at: node.position, pointer)
            return nil
        }
        let builder = builders(object, pointer)
        let rules = builder.rules, used = builder.used
        let method = (object["method"]?.stringValue ?? "GET").uppercased()
        let pathText = object["path"]?.stringValue ?? "/"
        var path = builder("path").build(.string(pathText))
        var query = decodeQuery(object["query"], pointer / "query", builder("query"))
        var headers = decodeHeaders(object["headers"], pointer / "headers", builder("header"))
        var body = decodeBody(object, headers: headers, builder("body"), pointer)
        reportUnused(rules, used)
        // Request generators are run by the verifier (provider-state values, random values).
        PactGenerators(context: context).apply(object, pointer, body: &body, headers: &headers, path: &path, query: &query)
        return HTTPRequestSpec(method: method, path: path, query: query, headers: headers, body: body)
    }

    func decodeResponse(_ node: JSONNode, _ pointer: JSONPointer) -> HTTPResponseSpec? {
        guard let object = node.objectValue else {
            context.error("a Pact response must be an object, found \(node.typeName)", at: node.position, pointer)
            return nil
        }
        let builder = builders(object, pointer)
        let rules = builder.rules, used = builder.used
        var status = 200
        if let s = object["status"] {
            if let n = s.numberValue?.intValue, (100...599).contains(n) {
                status = n
            } else {
                context.error("Pact response \"status\" must be an HTTP status, found \(s.rendered())", at: s.position, pointer / "status")
            }
        }
        var statusRule: StatusRule?
        if let entry = rules.best("status", at: [.root]), let matcher = entry.matchers.first, matcher["match"]?.stringValue == "statusCode" {
            used.paths.insert("status " + entry.path.text)
            switch matcher["status"].map(StatusRule.parse) {
            case .success(let rule)?: statusRule = rule
            case .failure(let message)?: context.warning("statusCode rule: \(message.message); the status is compared exactly", at: entry.position, entry.pointer)
            case nil: context.warning("statusCode rule without \"status\"; the status is compared exactly", at: entry.position, entry.pointer)
            }
        }
        var headers = decodeHeaders(object["headers"], pointer / "headers", builder("header"))
        var body = decodeBody(object, headers: headers, builder("body"), pointer)
        reportUnused(rules, used)
        PactGenerators(context: context).apply(object, pointer, body: &body, headers: &headers)
        return HTTPResponseSpec(status: status, statusRule: statusRule, headers: headers, body: body)
    }

    /// A request's or response's matching rules, with a pattern builder per category that records
    /// which rules it used.
    struct Builders {
        let rules: PactMatchingRules
        let used = PactPatternBuilder.UsedRules()
        let context: LoadContext
        let pointer: JSONPointer

        func callAsFunction(_ category: String) -> PactPatternBuilder {
            PactPatternBuilder(category: category, rules: rules, context: context, pointer: pointer, used: used)
        }
    }

    func builders(_ object: JSONObject, _ pointer: JSONPointer) -> Builders {
        let rules = object["matchingRules"].map { PactMatchingRules.read($0, pointer / "matchingRules", context) } ?? PactMatchingRules()
        return Builders(rules: rules, context: context, pointer: pointer)
    }

    /// A message's `contents` (V3 `contents`, V4 `contents`, older `body`) and `metaData`.
    func decodeMessage(_ node: JSONNode, _ pointer: JSONPointer) -> MessageSpec? {
        guard let object = node.objectValue else {
            context.error("a Pact message must be an object, found \(node.typeName)", at: node.position, pointer)
            return nil
        }
        let rules = object["matchingRules"].map { PactMatchingRules.read($0, pointer / "matchingRules", context) } ?? PactMatchingRules()
        let used = PactPatternBuilder.UsedRules()
        let bodyBuilder = PactPatternBuilder(category: rules.categories["content"] != nil ? "content" : "body", rules: rules,
                                             context: context, pointer: pointer, used: used)
        let metadataNode = object["metaData"] ?? object["metadata"]
        var metadata: [HeaderSpec] = []
        for member in metadataNode?.objectValue?.members ?? [] {
            metadata.append(HeaderSpec(name: member.key, values: [.string(member.value.stringValue ?? member.value.rendered())]))
        }
        let contentType = metadata.first { $0.name.lowercased() == "contenttype" || $0.name.lowercased() == "content-type" }?
            .values.first?.example.stringValue
        var contents: BodySpec?
        if let body = object["contents"] ?? object["body"] {
            var wrapper = JSONObject()
            wrapper.members.append(.init(key: "body", value: body))
            contents = decodeBody(wrapper, headers: contentType.map { [HeaderSpec("Content-Type", $0)] } ?? [], bodyBuilder, pointer)
        }
        reportUnused(rules, used)
        return MessageSpec(contents: contents, metadata: metadata)
    }

    /// V2 writes the query as a string (`a=1&b=2`), V3+ as a map of arrays.
    func decodeQuery(_ node: JSONNode?, _ pointer: JSONPointer, _ builder: PactPatternBuilder) -> [HeaderSpec] {
        guard let node else { return [] }
        var pairs: [(String, [String])] = []
        switch node.value {
        case .string(let text):
            for part in text.split(separator: "&", omittingEmptySubsequences: true) {
                let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = PercentEncoding.decode(kv[0], plusAsSpace: true)
                let value = kv.count > 1 ? PercentEncoding.decode(kv[1], plusAsSpace: true) : ""
                if let i = pairs.firstIndex(where: { $0.0 == name }) { pairs[i].1.append(value) } else { pairs.append((name, [value])) }
            }
        case .object(let object):
            for member in object.members {
                if let list = member.value.arrayValue {
                    pairs.append((member.key, list.map { $0.stringValue ?? $0.rendered() }))
                } else if let s = member.value.stringValue {
                    pairs.append((member.key, [s]))
                } else {
                    context.warning("query parameter \"\(member.key)\" must be a string or an array of strings", at: member.value.position,
                                    pointer / member.key)
                }
            }
        case .null:
            return []
        default:
            context.warning("\"query\" must be a string or an object, found \(node.typeName); ignored", at: node.position, pointer)
        }
        return pairs.map { name, values in
            let path: [PactRulePath.Token] = [.root, .field(name)]
            let pattern = { (value: String, index: Int) -> Pattern in
                if builder.rules.best("query", at: path) != nil { return builder.build(.string(value), path) }
                return builder.build(.string(value), path + [.index(index)])
            }
            return HeaderSpec(name: name, values: values.enumerated().map { pattern($0.element, $0.offset) })
        }
    }

    func decodeHeaders(_ node: JSONNode?, _ pointer: JSONPointer, _ builder: PactPatternBuilder) -> [HeaderSpec] {
        guard let node else { return [] }
        guard let object = node.objectValue else {
            if !node.isNull {
                context.warning("\"headers\" must be an object, found \(node.typeName); ignored", at: node.position, pointer)
            }
            return []
        }
        return object.members.map { member in
            // Header rules are looked up by name, ignoring case.
            let ruleName = builder.rules.categories["header"]?.first { entry in
                if case .field(let n)? = entry.path.tokens.last { return n.caseInsensitiveCompare(member.key) } else { return false }
            }.flatMap { entry -> String? in if case .field(let n)? = entry.path.tokens.last { n } else { nil } } ?? member.key
            let values: [String]
            if let list = member.value.arrayValue {
                values = list.map { $0.stringValue ?? $0.rendered() }
            } else {
                values = [member.value.stringValue ?? member.value.rendered()]
            }
            let joined = values.joined(separator: ", ")
            return HeaderSpec(name: member.key, values: [builder.build(.string(joined), [.root, .field(ruleName)])])
        }
    }

    func decodeBody(_ object: JSONObject, headers: [HeaderSpec], _ builder: PactPatternBuilder, _ pointer: JSONPointer) -> BodySpec? {
        guard let body = object["body"] else { return nil }
        let contentType = headers.first(named: "Content-Type")?.values.first?.example.stringValue
        // V4 wraps bodies: {"content": …, "contentType": …, "encoded": false}.
        if let wrapped = body.objectValue, wrapped["content"] != nil, wrapped["contentType"] != nil || wrapped["encoded"] != nil {
            let declared = wrapped["contentType"]?.stringValue ?? contentType
            let content = wrapped["content"]!
            if let encoded = wrapped["encoded"], encoded.boolValue != false || encoded.stringValue != nil {
                context.warning("base64-encoded Pact bodies are compared as text in this version", at: encoded.position, pointer / "body" / "encoded")
            }
            return decodeContent(content, contentType: declared, builder)
        }
        return decodeContent(body, contentType: contentType, builder)
    }

    func decodeContent(_ content: JSONNode, contentType: String?, _ builder: PactPatternBuilder) -> BodySpec? {
        if let entry = builder.rules.best("body", at: [.root]),
           let matcher = entry.matchers.first(where: { $0["match"]?.stringValue == "contentType" }),
           let type = matcher["value"]?.stringValue {
            builder.used.paths.insert("body " + entry.path.text)
            let bytes = content.stringValue.map { Array($0.utf8) } ?? content.renderedBytes()
            return .contentType(type, example: bytes)
        }
        if case .string(let text) = content.value, contentType?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            return .form(FormFields.parse(text).map { name, values in
                let path: [PactRulePath.Token] = [.root, .field(name)]
                return HeaderSpec(name: name, values: values.enumerated().map { i, value in
                    builder.rules.best("body", at: path) != nil ? builder.build(.string(value), path)
                        : builder.build(.string(value), path + [.index(i)])
                })
            })
        }
        if case .string(let text) = content.value, contentType.map(XMLBody.isXML) ?? text.hasPrefix("<?xml") {
            let bytes = Array(text.utf8)
            switch XMLBody.json(from: bytes) {
            case .success(let shape):
                var xmlBuilder = builder
                xmlBuilder.xml = true
                return .xml(xmlBuilder.build(shape), source: bytes)
            case .failure(let error):
                context.warning("the XML body does not parse (\(error)); it is compared as text", at: content.position, builder.pointer / "body")
                return .text(.string(text))
            }
        }
        let isJSON = contentType.map(MediaType.isJSON) ?? true
        if case .string(let text) = content.value {
            if text.isEmpty { return .text(.string("")) }
            if isJSON, contentType != nil, let parsed = try? JSONParser.parse(text).root {
                return .json(builder.build(parsed))
            }
            if !isJSON || contentType == nil {
                return .text(builder.build(content))
            }
        }
        return .json(builder.build(content))
    }

    func reportUnused(_ rules: PactMatchingRules, _ used: PactPatternBuilder.UsedRules) {
        for (category, entries) in rules.categories.sorted(by: { $0.key < $1.key }) {
            for entry in entries where !used.paths.contains(category + " " + entry.path.text) {
                context.warning("the \(category) matching rule at \"\(entry.path.text)\" points at nothing in the example; it only applies to values the example does not show",
                                at: entry.position, entry.pointer)
            }
        }
    }

}

extension String {
    func caseInsensitiveCompare(_ other: String) -> Bool { lowercased() == other.lowercased() }
}

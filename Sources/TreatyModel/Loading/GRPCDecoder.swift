/// Reads a contract's `"protobuf"` descriptors and its `grpc` interactions:
///
/// ```json
/// "protobuf": {"descriptorSet": "protos/shop.pb"}            // or {"protoFiles": ["shop.proto"], "importPaths": ["protos"]}
/// "grpc": {
///   "method": "shop.v1.Orders/GetOrder",
///   "request": {"metadata": {…}, "message": {…}},           // streaming requests: "stream": [{"message": {…}, "after": "50ms"}, …]
///   "response": {"metadata": {…}, "message": {…},          // streaming responses: "stream": [...]
///                "status": "OK", "statusMessage": "…", "details": [{"@type": …}], "trailers": {…}}
/// }
/// ```
struct GRPCDecoder {
    let context: LoadContext
    var http: HTTPDecoder { HTTPDecoder(context: context) }
    var patterns: PatternDecoder { PatternDecoder(context: context) }

    func decodeProtobuf(_ node: JSONNode, _ pointer: JSONPointer) -> ProtobufSettings? {
        guard let reader = ObjectReader(node, pointer, context, what: "\"protobuf\"") else { return nil }
        reader.checkKeys(["descriptorSet", "protoFiles", "importPaths"])
        let resolved: ResolvedReference
        let source: String
        let at: SourcePosition?
        if let set = reader.string("descriptorSet") {
            if reader["protoFiles"] != nil {
                context.error("give \"descriptorSet\" or \"protoFiles\", not both", at: reader.object.member("protoFiles")?.keyPosition, pointer / "protoFiles")
            }
            source = set
            at = reader["descriptorSet"]?.position
            resolved = context.resolver.resolve(set, from: context.file)
        } else if let files = reader["protoFiles"] {
            guard let list = files.arrayValue, !list.isEmpty, list.allSatisfy({ $0.stringValue != nil }) else {
                context.error("\"protoFiles\" is a non-empty array of .proto paths", at: files.position, pointer / "protoFiles")
                return nil
            }
            var imports: [String] = []
            if let paths = reader["importPaths"] {
                if let list = paths.arrayValue, list.allSatisfy({ $0.stringValue != nil }) { imports = list.compactMap(\.stringValue) } else {
                    context.error("\"importPaths\" is an array of folders", at: paths.position, pointer / "importPaths")
                }
            }
            let names = list.compactMap(\.stringValue)
            source = names.joined(separator: ", ")
            at = files.position
            resolved = context.resolver.compileProtos(names, importPaths: imports, from: context.file)
        } else {
            context.error("\"protobuf\" needs \"descriptorSet\" (made with protoc --include_imports --descriptor_set_out) or \"protoFiles\"",
                          at: node.position, pointer)
            return nil
        }
        let keyPointer = pointer / (reader["descriptorSet"] != nil ? "descriptorSet" : "protoFiles")
        switch resolved {
        case .missing(let path):
            context.error("descriptor set \"\(source)\" not found (looked for \(path)); make it with protoc --include_imports --descriptor_set_out=\(source) your.proto",
                          at: at, keyPointer)
        case .escapesRoot(let path, let root):
            context.error("\"\(source)\" resolves to \(path), outside the contract root \(root); keep referenced files inside it", at: at, keyPointer)
        case .unreadable(let path, let reason):
            context.error("\(path) cannot be used: \(reason)", at: at, keyPointer)
        case .contents(let bytes, let path):
            do {
                let pool = try ProtoDescriptorPool(descriptorSet: bytes)
                let missing = pool.missingTypes
                guard missing.isEmpty else {
                    context.error("\(path) refers to types it does not define: \(missing.prefix(5).joined(separator: ", "))"
                                  + (missing.count > 5 ? " and \(missing.count - 5) more" : "")
                                  + "; make it with protoc --include_imports so that imported files come along", at: at, keyPointer)
                    return nil
                }
                return ProtobufSettings(source: source, pool: pool)
            } catch {
                context.error("\(path) is not a readable descriptor set (\(error.message)); make it with protoc --include_imports --descriptor_set_out",
                              at: at, keyPointer)
            }
        }
        return nil
    }

    func decode(_ node: JSONNode, _ pointer: JSONPointer) -> GRPCInteraction? {
        guard let reader = ObjectReader(node, pointer, context, what: "a grpc interaction") else { return nil }
        reader.checkKeys(["method", "request", "response"])
        guard let methodPath = reader.string("method", required: true) else { return nil }
        let methodPosition = reader["method"]?.position
        guard let protobuf = context.protobuf else {
            if context.protobufGiven { return nil }
            context.error("a grpc interaction needs the contract's \"protobuf\" descriptors (top level: \"protobuf\": {\"descriptorSet\": \"….pb\"})",
                          at: methodPosition, pointer / "method")
            return nil
        }
        let pool = protobuf.pool
        guard let (service, method) = pool.method(path: methodPath) else {
            let known = pool.services.values.flatMap { s in s.methods.map { "\(s.fullName)/\($0.name)" } }.sorted()
            let suggestion = Suggestion.closest(to: methodPath, in: known).map { "; did you mean \"\($0)\"?" }
                ?? (known.isEmpty ? "; the descriptors define no service" : "; known: " + known.prefix(8).joined(separator: ", "))
            context.error("no method \"\(methodPath)\" in \(protobuf.source) (write it as package.Service/Method)\(suggestion)",
                          at: methodPosition, pointer / "method")
            return nil
        }
        let transcoder = ProtoJSON(pool: pool)
        var call = GRPCInteraction(service: service.fullName, method: method.name, inputType: method.input, outputType: method.output,
                                   clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming,
                                   requests: [], responses: [])
        let label = "\(service.fullName)/\(method.name)"

        if let request = reader.required("request"), let r = ObjectReader(request, pointer / "request", context, what: "a grpc request") {
            r.checkKeys(["metadata", "message", "stream"])
            call.requestMetadata = r["metadata"].map { decodeMetadata($0, pointer / "request" / "metadata") } ?? []
            call.requests = messages(r, pointer / "request", type: method.input, streaming: method.clientStreaming, label: label,
                                     side: "request", transcoder: transcoder, required: true)
        }
        if let response = reader.required("response"), let r = ObjectReader(response, pointer / "response", context, what: "a grpc response") {
            r.checkKeys(["metadata", "message", "stream", "status", "statusMessage", "details", "trailers"])
            call.responseMetadata = r["metadata"].map { decodeMetadata($0, pointer / "response" / "metadata") } ?? []
            call.trailers = r["trailers"].map { decodeMetadata($0, pointer / "response" / "trailers") } ?? []
            if let s = r["status"] {
                if let name = s.stringValue, let status = GRPCStatus(name: name) {
                    call.status = status
                } else if let n = s.numberValue?.intValue, (0...16).contains(n) {
                    call.status = GRPCStatus(code: n)
                } else {
                    context.error("\"status\" is a gRPC status name (OK, NOT_FOUND, …) or code 0–16, found \(s.rendered())",
                                  at: s.position, pointer / "response" / "status")
                }
            }
            call.statusMessage = r["statusMessage"].flatMap { patterns.decodeString($0, pointer / "response" / "statusMessage", what: "a status message") }
            if let d = r["details"] {
                call.details = decodeDetails(d, pointer / "response" / "details", transcoder: transcoder)
                if call.status == .ok, !call.details.isEmpty {
                    context.error("status details come with an error status; \"status\" is OK here", at: d.position, pointer / "response" / "details")
                }
            }
            let required = call.status == .ok && !method.serverStreaming
            call.responses = messages(r, pointer / "response", type: method.output, streaming: method.serverStreaming, label: label,
                                      side: "response", transcoder: transcoder, required: required)
            if call.status != .ok, !call.responses.isEmpty, !method.serverStreaming {
                context.warning("a \(call.callKind) call that ends with \(call.status.name) has no response message; clients drop it",
                                at: r.object.member("message")?.keyPosition, pointer / "response" / "message")
            }
        }
        return call
    }

    /// `"message": {…}` for a side that sends one message, `"stream": [{"message": {…}, "after": …}, …]` for a streaming side.
    private func messages(_ r: ObjectReader, _ pointer: JSONPointer, type: String, streaming: Bool, label: String, side: String,
                          transcoder: ProtoJSON, required: Bool) -> [GRPCMessage] {
        if streaming {
            if let single = r.object.member("message") {
                context.error("\(label) streams its \(side)s: write \"stream\": [{\"message\": …}, …]", at: single.keyPosition, pointer / "message")
                return []
            }
            guard let stream = r["stream"] else {
                if side == "request" {
                    context.error("\(label) streams its requests: give \"stream\" (an empty array for none)", at: r.node.position, pointer)
                }
                return []
            }
            guard let items = stream.arrayValue else {
                context.error("\"stream\" is an array of {\"message\": …, \"after\": …}, found \(stream.typeName)", at: stream.position, pointer / "stream")
                return []
            }
            return items.enumerated().compactMap { index, item in
                streamItem(item, pointer / "stream" / index, type: type, side: side, transcoder: transcoder)
            }
        }
        if let stream = r.object.member("stream") {
            context.error("\(label) sends one \(side) message: write \"message\": {…}", at: stream.keyPosition, pointer / "stream")
            return []
        }
        guard let node = r["message"] else {
            if required { context.error("\(label) needs its \(side) \"message\" (in proto3 JSON; {} for an empty one)", at: r.node.position, pointer) }
            return []
        }
        return message(node, pointer / "message", type: type, transcoder: transcoder).map { [$0] } ?? []
    }

    private func streamItem(_ node: JSONNode, _ pointer: JSONPointer, type: String, side: String, transcoder: ProtoJSON) -> GRPCMessage? {
        guard let reader = ObjectReader(node, pointer, context, what: "a stream message") else { return nil }
        // The verifier sends a request stream as one body: request messages have no timing.
        reader.checkKeys(side == "response" ? ["message", "after", "within", "afterRequests"] : ["message"])
        guard let body = reader.required("message"), var message = message(body, pointer / "message", type: type, transcoder: transcoder) else {
            return nil
        }
        message.afterMilliseconds = http.optionalDuration(reader, "after") ?? 0
        message.withinMilliseconds = http.optionalDuration(reader, "within")
        message.afterRequests = reader.integer("afterRequests", in: 0...1_000_000)
        message.pointer = pointer
        return message
    }

    private func message(_ node: JSONNode, _ pointer: JSONPointer, type: String, transcoder: ProtoJSON) -> GRPCMessage? {
        guard let written = patterns.decode(node, pointer) else { return nil }
        let pattern = canonical(written, type: type, pool: transcoder.pool, pointer: pointer)
        do {
            let bytes = try transcoder.encode(pattern.example, as: type)
            return GRPCMessage(pattern: pattern, exampleBytes: bytes, pointer: pointer)
        } catch {
            context.error("the message does not fit \(type): \(error.message)", at: node.position, pointer)
            return nil
        }
    }

    /// The pattern in the form decoded messages take, so that it can match them: proto field names
    /// become JSON names (`updated_at` → `updatedAt`), 64-bit integers written as numbers become
    /// strings, enums written by number become names. `$integer` and `$number` on 64-bit fields
    /// become `integer64`, which takes the string the JSON mapping makes of them; `$decimal` there
    /// never matches, and a warning says so.
    func canonical(_ pattern: Pattern, type: String, pool: ProtoDescriptorPool, pointer: JSONPointer) -> Pattern {
        // A whole message under `$type` or `$notEmpty`: its fields take the decoded form too.
        if case .matcher(var m) = pattern {
            switch m.rule {
            case .type(let inner): m.rule = .type(canonical(inner, type: type, pool: pool, pointer: pointer))
            case .notEmpty(let inner): m.rule = .notEmpty(canonical(inner, type: type, pool: pool, pointer: pointer))
            default: return pattern
            }
            return .matcher(m)
        }
        guard let message = pool.messages[type], !ProtoWellKnown.special.contains(type), case .object(let members) = pattern else { return pattern }
        return .object(members.map { member in
            guard let field = message.field(named: member.key) else { return member }
            var out = member
            out.key = field.jsonName
            out.pattern = canonicalValue(member.pattern, field, pool: pool, pointer: pointer / member.key)
            return out
        })
    }

    private func canonicalValue(_ pattern: Pattern, _ field: ProtoDescriptorPool.Field, pool: ProtoDescriptorPool, pointer: JSONPointer) -> Pattern {
        let isMap = field.typeName.flatMap { pool.messages[$0] }?.isMapEntry == true
        if isMap {
            guard case .object(let entries) = pattern, let valueField = pool.messages[field.typeName!]?.field(number: 2) else { return pattern }
            var single = valueField
            single.repeated = false
            return .object(entries.map { entry in
                var out = entry
                out.pattern = canonicalValue(entry.pattern, single, pool: pool, pointer: pointer / entry.key)
                return out
            })
        }
        // Matchers that hold a pattern of the same field (or, for `$eachLike`, of its elements):
        // the inside takes the decoded form too, so `{"$eachLike": {"$integer": 1}}` on a
        // repeated int64 field and `{"$type": {"created_at": …}}` match decoded messages.
        if case .matcher(var m) = pattern {
            var single = field
            single.repeated = false
            switch m.rule {
            case .eachLike(let template, let min, let max, let examples) where field.repeated:
                m.rule = .eachLike(canonicalValue(template, single, pool: pool, pointer: pointer), min: min, max: max, examples: examples)
                return .matcher(m)
            case .type(let inner):
                m.rule = .type(canonicalValue(inner, field, pool: pool, pointer: pointer))
                return .matcher(m)
            case .notEmpty(let inner):
                m.rule = .notEmpty(canonicalValue(inner, field, pool: pool, pointer: pointer))
                return .matcher(m)
            default:
                break
            }
        }
        if field.repeated, case .array(let elements) = pattern {
            var single = field
            single.repeated = false
            return .array(elements.enumerated().map { canonicalValue($1, single, pool: pool, pointer: pointer / $0) })
        }
        switch (field.kind, pattern) {
        case (.message, _):
            return canonical(pattern, type: field.typeName ?? "", pool: pool, pointer: pointer)
        case (.int64, .number(let n)), (.uint64, .number(let n)), (.sint64, .number(let n)), (.fixed64, .number(let n)), (.sfixed64, .number(let n)):
            return .string(n.text)
        case (.enumeration, .number(let n)):
            if let value = pool.enums[field.typeName ?? ""]?.values.first(where: { $0.number == n.intValue }) { return .string(value.name) }
            return pattern
        case (.int64, .matcher(let m)), (.uint64, .matcher(let m)), (.sint64, .matcher(let m)), (.fixed64, .matcher(let m)), (.sfixed64, .matcher(let m)):
            var out = m
            switch m.rule {
            case .integer, .number:
                out.rule = .integer64(written: m.rule, unsigned: field.kind == .uint64 || field.kind == .fixed64)
            case .decimal:
                context.warning("\(field.name) is a 64-bit integer, which never holds a decimal: this $decimal never matches; use $integer",
                                at: m.position, pointer)
            default: break
            }
            return .matcher(out)
        default:
            return pattern
        }
    }

    /// gRPC metadata: header rules, lower-case names (HTTP/2), `-bin` values base64.
    private func decodeMetadata(_ node: JSONNode, _ pointer: JSONPointer) -> [HeaderSpec] {
        let specs = http.decodeNamedValues(node, pointer, what: "header")
        for spec in specs {
            let lower = spec.name.lowercased()
            if lower.hasPrefix(":") || lower.hasPrefix("grpc-") && !["grpc-status-details-bin"].contains(lower) {
                context.error("metadata \"\(spec.name)\" is reserved by gRPC; the call's status and timeout have their own keys",
                              at: node[spec.name]?.position, pointer / spec.name)
            }
            if lower.hasSuffix("-bin") {
                if spec.values.contains(where: { $0.example.stringValue.flatMap(Base64Text.decode) == nil }) {
                    context.error("binary metadata \"\(spec.name)\" (a -bin key) is written in base64", at: node[spec.name]?.position, pointer / spec.name)
                }
            }
        }
        return specs
    }

    private func decodeDetails(_ node: JSONNode, _ pointer: JSONPointer, transcoder: ProtoJSON) -> [JSONNode] {
        guard let list = node.arrayValue else {
            context.error("\"details\" is an array of messages with their \"@type\" (google.rpc.Status details)", at: node.position, pointer)
            return []
        }
        var out: [JSONNode] = []
        for (i, detail) in list.enumerated() {
            guard let type = detail["@type"]?.stringValue else {
                context.error("a status detail names its type: \"@type\": \"type.googleapis.com/google.rpc.ErrorInfo\"", at: detail.position, pointer / i)
                continue
            }
            let name = String(type.split(separator: "/").last ?? "")
            guard transcoder.pool.messages[name] != nil else {
                context.error("detail type \(name) is not in the descriptors; add its .proto (google/rpc/error_details.proto) to protoc's inputs",
                              at: detail["@type"]?.position, pointer / i / "@type")
                continue
            }
            do {
                _ = try GRPCStatusDetails.encodeAny(detail, transcoder)
                out.append(detail)
            } catch {
                context.error("the detail does not fit \(name): \(error.message)", at: detail.position, pointer / i)
            }
        }
        return out
    }
}

/// `google.rpc.Status` (code = 1, message = 2, repeated Any details = 3) written and read by hand,
/// so it needs no descriptor: what `grpc-status-details-bin` carries.
public enum GRPCStatusDetails {
    /// An `Any` (type_url = 1, value = 2) from its JSON form with `@type`.
    public static func encodeAny(_ json: JSONNode, _ transcoder: ProtoJSON) throws(ProtoError) -> [UInt8] {
        guard let url = json["@type"]?.stringValue, let object = json.objectValue else { throw ProtoError("an Any needs \"@type\"") }
        let type = String(url.split(separator: "/").last ?? "")
        let value = try transcoder.encode(.object(object.members.filter { $0.key != "@type" }.map { ($0.key, $0.value) }), as: type)
        var writer = ProtoWriter()
        writer.field(1, url)
        writer.field(2, value)
        return writer.bytes
    }

    public static func encode(code: Int, message: String, details: [JSONNode], _ transcoder: ProtoJSON) throws(ProtoError) -> [UInt8] {
        var writer = ProtoWriter()
        if code != 0 { writer.field(1, varint: UInt64(bitPattern: Int64(code))) }
        if !message.isEmpty { writer.field(2, message) }
        for detail in details { writer.field(3, try encodeAny(detail, transcoder)) }
        return writer.bytes
    }

    /// Reads `google.rpc.Status`; details whose type the descriptors know come back in JSON form,
    /// others as `{"@type": url, "value": base64}`.
    public static func decode(_ bytes: [UInt8], _ transcoder: ProtoJSON) throws(ProtoError) -> (code: Int, message: String, details: [JSONNode]) {
        var reader = ProtoReader(bytes)
        var code = 0, message = "", details: [JSONNode] = []
        while !reader.atEnd {
            let (field, wire) = try reader.tag()
            switch (field, wire) {
            case (1, .varint): code = Int(Int32(truncatingIfNeeded: try reader.varint()))
            case (2, .lengthDelimited): message = String(decoding: try reader.lengthDelimited(), as: UTF8.self)
            case (3, .lengthDelimited):
                var any = try reader.nested()
                var url = "", value: [UInt8] = []
                while !any.atEnd {
                    let (f, w) = try any.tag()
                    switch (f, w) {
                    case (1, .lengthDelimited): url = String(decoding: try any.lengthDelimited(), as: UTF8.self)
                    case (2, .lengthDelimited): value = Array(try any.lengthDelimited())
                    default: try any.skip(w)
                    }
                }
                let type = String(url.split(separator: "/").last ?? "")
                if transcoder.pool.messages[type] != nil, let object = try transcoder.decode(value, as: type).objectValue {
                    details.append(.object([("@type", .string(url))] + object.members.map { ($0.key, $0.value) }))
                } else {
                    details.append(.object([("@type", .string(url)), ("value", .string(Base64Text.encode(value)))]))
                }
            default: try reader.skip(wire)
            }
        }
        return (code, message, details)
    }
}

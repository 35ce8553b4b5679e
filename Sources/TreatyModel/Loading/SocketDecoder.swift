/// Reads `tcp` and `udp` interactions:
///
/// ```json
/// "tcp": {"framing": {"line": "\r\n"}, "conversation": [{"client": {"text": "PING"}}, {"server": {"text": "+PONG"}, "within": "1s"}]}
/// "udp": {"request": {"hex": "12 34 01 00", "mask": "00 00 ff ff"}, "response": {"hex": "…"}, "echo": 2, "timeout": "500ms", "retries": 2}
/// ```
struct SocketDecoder {
    let context: LoadContext
    var http: HTTPDecoder { HTTPDecoder(context: context) }
    var patterns: PatternDecoder { PatternDecoder(context: context) }

    static let defaultIdleMilliseconds = 50
    static let maximumMessageBytes = 16 << 20

    func decodeTCP(_ node: JSONNode, _ pointer: JSONPointer) -> TCPInteraction? {
        guard let reader = ObjectReader(node, pointer, context, what: "a tcp interaction") else { return nil }
        reader.checkKeys(["framing", "conversation", "maxMessageBytes"])
        let framing = reader["framing"].map { decodeFraming($0, pointer / "framing") } ?? .line(delimiter: [0x0A])
        guard let framing else { return nil }
        let limit = reader.integer("maxMessageBytes", in: 1...Self.maximumMessageBytes) ?? (1 << 20)
        guard let list = reader.required("conversation") else { return nil }
        guard let elements = list.arrayValue, !elements.isEmpty else {
            context.error("\"conversation\" is a non-empty array of steps ({\"client\": …} or {\"server\": …})", at: list.position, pointer / "conversation")
            return nil
        }
        var steps: [SocketStep] = []
        for (i, element) in elements.enumerated() {
            if let step = decodeStep(element, pointer / "conversation" / i, framing: framing, limit: limit) { steps.append(step) }
        }
        guard steps.count == elements.count else { return nil }
        if case .idle(let quiet) = framing {
            // Two messages in a row from one side run together unless the second waits out the quiet time.
            for (i, pair) in zip(steps, steps.dropFirst()).enumerated() where pair.0.side == pair.1.side && pair.1.afterMilliseconds <= quiet {
                context.warning("steps \(i + 1) and \(i + 2) both come from the \(pair.1.side.rawValue): with idle framing they arrive as one message "
                                + "unless the second has an \"after\" longer than \(quiet) ms", at: elements[i + 1].position, pointer / "conversation" / (i + 1))
            }
        }
        return TCPInteraction(framing: framing, conversation: steps, maximumMessageBytes: limit)
    }

    /// `"line"`, `"idle"`, `{"line": "\r\n"}`, `{"length": 2, "endian": "little"}`, `{"fixed": 16}`, `{"idle": "50ms"}`.
    func decodeFraming(_ node: JSONNode, _ pointer: JSONPointer) -> SocketFraming? {
        let help = "\"framing\" is \"line\", \"idle\", {\"line\": \"\\r\\n\"}, {\"length\": 1|2|4, \"endian\": \"big\"|\"little\"}, {\"fixed\": N} or {\"idle\": \"50ms\"}"
        if let name = node.stringValue {
            switch name {
            case "line": return .line(delimiter: [0x0A])
            case "idle": return .idle(milliseconds: Self.defaultIdleMilliseconds)
            default:
                context.error(help + ", found \"\(name)\"", at: node.position, pointer)
                return nil
            }
        }
        guard let reader = ObjectReader(node, pointer, context, what: "a framing") else { return nil }
        reader.checkKeys(["line", "length", "endian", "fixed", "idle"])
        let kinds = ["line", "length", "fixed", "idle"].filter { reader[$0] != nil }
        guard kinds.count == 1 else {
            context.error(help + (kinds.isEmpty ? "" : "; give one of \(kinds.joined(separator: ", "))"), at: node.position, pointer)
            return nil
        }
        switch kinds[0] {
        case "line":
            guard let text = reader.string("line"), !text.isEmpty else {
                context.error("a line delimiter is a non-empty string such as \"\\n\" or \"\\r\\n\"", at: reader["line"]?.position, pointer / "line")
                return nil
            }
            return .line(delimiter: Array(text.utf8))
        case "length":
            guard let bytes = reader.integer("length", in: 1...4), [1, 2, 4].contains(bytes) else {
                context.error("a length prefix is 1, 2 or 4 bytes", at: reader["length"]?.position, pointer / "length")
                return nil
            }
            let endian = reader.string("endian") ?? "big"
            guard endian == "big" || endian == "little" else {
                context.error("\"endian\" is \"big\" or \"little\", found \"\(endian)\"", at: reader["endian"]?.position, pointer / "endian")
                return nil
            }
            return .length(bytes: bytes, bigEndian: endian == "big")
        case "fixed":
            guard let n = reader.integer("fixed", in: 1...Self.maximumMessageBytes) else { return nil }
            return .fixed(n)
        default:
            guard let ms = http.optionalDuration(reader, "idle") else { return nil }
            return .idle(milliseconds: max(1, ms))
        }
    }

    private func decodeStep(_ node: JSONNode, _ pointer: JSONPointer, framing: SocketFraming, limit: Int) -> SocketStep? {
        guard let reader = ObjectReader(node, pointer, context, what: "a conversation step") else { return nil }
        reader.checkKeys(["client", "server", "after", "within"])
        let sides = ["client", "server"].filter { reader[$0] != nil }
        guard sides.count == 1, let side = SocketStep.Side(rawValue: sides[0]) else {
            context.error("a step is {\"client\": …} (what the client sends) or {\"server\": …} (what the server sends)", at: node.position, pointer)
            return nil
        }
        guard var payload = decodePayload(reader[side.rawValue]!, pointer / side.rawValue) else { return nil }
        payload = fitted(payload, to: framing, pointer / side.rawValue, limit: limit, at: reader[side.rawValue]!.position)
        let after = http.optionalDuration(reader, "after") ?? 0
        let within = http.optionalDuration(reader, "within")
        return SocketStep(side: side, payload: payload, afterMilliseconds: after, withinMilliseconds: within, pointer: pointer)
    }

    /// Checks a payload against the framing: a line step's final delimiter is optional (the sender
    /// adds it), a fixed-size step has that size, a length-prefixed one fits its prefix.
    private func fitted(_ payload: SocketPayload, to framing: SocketFraming, _ pointer: JSONPointer, limit: Int, at position: SourcePosition) -> SocketPayload {
        var payload = payload
        let example = payload.exampleBytes
        switch framing {
        case .line(let delimiter):
            if example.count >= delimiter.count, Array(example.suffix(delimiter.count)) == delimiter {
                switch payload {
                case .text(.string):
                    payload = .text(.string(String(decoding: example.dropLast(delimiter.count), as: UTF8.self)))
                case .bytes(let bytes, let prefix, let mask):
                    payload = .bytes(Array(bytes.dropLast(delimiter.count)), prefix: prefix, mask: mask.map { Array($0.prefix(bytes.count - delimiter.count)) })
                default:
                    context.error("with line framing a step leaves out its final delimiter (the sender adds it)", at: position, pointer)
                }
            }
        case .fixed(let size):
            if case .bytes(_, true, _) = payload {} else if example.count != size {
                context.error("with fixed framing every message is \(size) bytes; this one is \(example.count)", at: position, pointer)
            }
        case .length(let bytes, _):
            let most = bytes == 4 ? Int(UInt32.max) : (1 << (8 * bytes)) - 1
            if example.count > min(most, limit) {
                context.error("the message is \(example.count) bytes, more than a \(bytes)-byte length prefix or maxMessageBytes allows (\(min(most, limit)))",
                              at: position, pointer)
            }
        case .idle:
            break
        }
        if example.count > limit {
            context.error("the message is \(example.count) bytes, over maxMessageBytes (\(limit))", at: position, pointer)
        }
        return payload
    }

    /// `"PING"` (text), `{"text": pattern}`, `{"hex": "2b 50"}` or `{"base64": "K1A="}`, bytes with
    /// `"match": "prefix"` and `"mask": "ff 00"`.
    func decodePayload(_ node: JSONNode, _ pointer: JSONPointer) -> SocketPayload? {
        if let text = node.stringValue { return .text(.string(text)) }
        guard let reader = ObjectReader(node, pointer, context, what: "a payload") else { return nil }
        reader.checkKeys(["text", "hex", "base64", "match", "mask"])
        let forms = ["text", "hex", "base64"].filter { reader[$0] != nil }
        guard forms.count == 1 else {
            context.error("a payload is {\"text\": …}, {\"hex\": \"…\"} or {\"base64\": \"…\"} (one of them)", at: node.position, pointer)
            return nil
        }
        if forms[0] == "text" {
            if reader["match"] != nil || reader["mask"] != nil {
                context.error("\"match\" and \"mask\" apply to hex and base64 payloads; text uses string matchers ($regex, …)", at: node.position, pointer)
            }
            return patterns.decodeString(reader["text"]!, pointer / "text", what: "a text payload").map { .text($0) }
        }
        let bytes: [UInt8]?
        if forms[0] == "hex" {
            bytes = reader.string("hex").flatMap { SocketText.bytes(hex: $0) }
            if bytes == nil { context.error("\"hex\" is pairs of hex digits (spaces allowed), such as \"2b 50 4f\"", at: reader["hex"]?.position, pointer / "hex") }
        } else {
            bytes = reader.string("base64").flatMap { Base64Text.decode($0) }
            if bytes == nil { context.error("\"base64\" is not valid base64", at: reader["base64"]?.position, pointer / "base64") }
        }
        guard let bytes else { return nil }
        var prefix = false
        if let match = reader.string("match") {
            switch match {
            case "exact": prefix = false
            case "prefix": prefix = true
            default: context.error("\"match\" is \"exact\" or \"prefix\", found \"\(match)\"", at: reader["match"]?.position, pointer / "match")
            }
        }
        var mask: [UInt8]?
        if let text = reader.string("mask") {
            mask = SocketText.bytes(hex: text)
            if mask == nil || mask!.count != bytes.count {
                context.error("\"mask\" is hex of the same length as the bytes (\(bytes.count)): ff where bytes must be equal, 00 where anything goes",
                              at: reader["mask"]?.position, pointer / "mask")
                mask = nil
            }
        }
        return .bytes(bytes, prefix: prefix, mask: mask)
    }

    func decodeUDP(_ node: JSONNode, _ pointer: JSONPointer) -> UDPInteraction? {
        guard let reader = ObjectReader(node, pointer, context, what: "a udp interaction") else { return nil }
        reader.checkKeys(["request", "response", "responses", "timeout", "retries", "echo"])
        let request = reader.required("request").flatMap { decodePayload($0, pointer / "request") }
        var responses: [SocketPayload] = []
        switch (reader["response"], reader["responses"]) {
        case (let one?, nil):
            if let payload = decodePayload(one, pointer / "response") { responses = [payload] }
        case (nil, let many?):
            guard let list = many.arrayValue else {
                context.error("\"responses\" is an array of payloads", at: many.position, pointer / "responses")
                return nil
            }
            responses = list.enumerated().compactMap { decodePayload($1, pointer / "responses" / $0) }
        case (_?, _?):
            context.error("give \"response\" or \"responses\", not both", at: node.position, pointer)
        case (nil, nil):
            break  // a datagram nobody answers
        }
        let timeout = http.optionalDuration(reader, "timeout") ?? 1000
        let retries = reader.integer("retries", in: 0...10) ?? 2
        let echo = reader.integer("echo", in: 0...65_507) ?? 0
        if let request, echo > request.exampleBytes.count {
            context.error("\"echo\" copies \(echo) bytes of the request, which has \(request.exampleBytes.count)", at: reader["echo"]?.position, pointer / "echo")
        }
        let responsePointer = { (i: Int) in reader["response"] != nil ? pointer / "response" : pointer / "responses" / i }
        for (i, response) in responses.enumerated() where echo > 0 {
            if echo > response.exampleBytes.count {
                context.error("\"echo\" copies \(echo) bytes into a response of \(response.exampleBytes.count)", at: reader["echo"]?.position, responsePointer(i))
            }
            if case .text = response {
                context.error("\"echo\" copies bytes: write the response as \"hex\" or \"base64\"", at: reader["echo"]?.position, responsePointer(i))
            }
        }
        if let request, request.exampleBytes.count > 65_507 {
            context.error("a UDP datagram carries at most 65,507 bytes; this one has \(request.exampleBytes.count)", at: reader["request"]?.position, pointer / "request")
        }
        for (i, response) in responses.enumerated() where response.exampleBytes.count > 65_507 {
            context.error("a UDP datagram carries at most 65,507 bytes; this one has \(response.exampleBytes.count)", at: node.position, responsePointer(i))
        }
        guard let request else { return nil }
        return UDPInteraction(request: request, responses: responses, timeoutMilliseconds: max(1, timeout), retries: retries, echoBytes: echo)
    }
}

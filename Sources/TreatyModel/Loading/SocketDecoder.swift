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
        reader.checkKeys(["client", "server", "after", "within", "until"])
        let sides = ["client", "server"].filter { reader[$0] != nil }
        guard sides.count == 1, let side = SocketStep.Side(rawValue: sides[0]) else {
            context.error("a step is {\"client\": …} (what the client sends) or {\"server\": …} (what the server sends)", at: node.position, pointer)
            return nil
        }
        guard var payload = decodePayload(reader[side.rawValue]!, pointer / side.rawValue) else { return nil }
        payload = fitted(payload, to: framing, pointer / side.rawValue, limit: limit, at: reader[side.rawValue]!.position)
        let after = http.optionalDuration(reader, "after") ?? 0
        let within = http.optionalDuration(reader, "within")
        var until: Pattern?
        if let node = reader["until"] {
            until = patterns.decodeString(node, pointer / "until", what: "\"until\"")
            if case .line = framing {} else {
                context.error("\"until\" applies to line framing (it ends a message at the first line that matches); this conversation has \(framing.summary)",
                              at: node.position, pointer / "until")
            }
        }
        return SocketStep(side: side, payload: payload, afterMilliseconds: after, withinMilliseconds: within, until: until, pointer: pointer,
                          position: node.position)
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
        var echo: [EchoRange] = []
        if let node = reader["echo"], let request {
            echo = decodeEcho(node, pointer / "echo", request: request.exampleBytes)
        }
        let responsePointer = { (i: Int) in reader["response"] != nil ? pointer / "response" : pointer / "responses" / i }
        for (i, response) in responses.enumerated() where !echo.isEmpty {
            for range in echo where range.offset + range.length > response.exampleBytes.count {
                context.error("\"echo\" copies \(range.summary) into a response of \(response.exampleBytes.count)", at: reader["echo"]?.position, responsePointer(i))
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
        return UDPInteraction(request: request, responses: responses, timeoutMilliseconds: max(1, timeout), retries: retries, echo: echo)
    }

    /// `"echo"`: an integer N (the first N bytes), a range `{"from": 12, "length": 18}` or
    /// `{"from": 12, "to": 30 | "end"}` (`to` not included; `"end"`: the end of the request), or an
    /// array of ranges; checked against the request's example, sorted, not overlapping.
    func decodeEcho(_ node: JSONNode, _ pointer: JSONPointer, request: [UInt8]) -> [EchoRange] {
        let help = "\"echo\" is a number of leading bytes, a range {\"from\": N, \"length\": N} or {\"from\": N, \"to\": N|\"end\"}, or an array of ranges"
        var ranges: [(EchoRange, JSONNode, JSONPointer)] = []
        if let number = node.numberValue {
            guard let count = number.intValue, (0...65_507).contains(count) else {
                context.error("\"echo\" must be an integer between 0 and 65507, found \(node.rendered())", at: node.position, pointer)
                return []
            }
            if count > 0 { ranges = [(EchoRange(offset: 0, length: count), node, pointer)] }
        } else if let list = node.arrayValue {
            guard !list.isEmpty else {
                context.error(help + ", found an empty array", at: node.position, pointer)
                return []
            }
            for (i, element) in list.enumerated() {
                if let range = decodeEchoRange(element, pointer / i, request: request, help: help) { ranges.append((range, element, pointer / i)) }
            }
        } else if node.objectValue != nil {
            if let range = decodeEchoRange(node, pointer, request: request, help: help) { ranges = [(range, node, pointer)] }
        } else {
            context.error(help + ", found \(node.typeName)", at: node.position, pointer)
            return []
        }
        ranges.sort { $0.0.offset < $1.0.offset }
        var valid: [EchoRange] = []
        for (range, element, at) in ranges {
            if range.offset + range.length > request.count {
                context.error("\"echo\" copies \(range.summary) of the request, which has \(request.count)", at: element.position, at)
                continue
            }
            if let previous = valid.last, range.offset < previous.offset + previous.length {
                context.error("\"echo\" ranges overlap: \(previous.summary) and \(range.summary)", at: element.position, at)
                continue
            }
            valid.append(range)
        }
        return valid
    }

    private func decodeEchoRange(_ node: JSONNode, _ pointer: JSONPointer, request: [UInt8], help: String) -> EchoRange? {
        guard let reader = ObjectReader(node, pointer, context, what: "an echo range") else { return nil }
        reader.checkKeys(["from", "to", "length"])
        guard let from = reader.required("from") != nil ? reader.integer("from", in: 0...65_506) : nil else { return nil }
        switch (reader["to"], reader["length"]) {
        case (nil, _?):
            guard let length = reader.integer("length", in: 1...65_507) else { return nil }
            return EchoRange(offset: from, length: length)
        case (let to?, nil):
            if to.stringValue == "end" {
                guard from < request.count else {
                    context.error("\"echo\" starts at offset \(from), past the end of the request (\(request.count) bytes)", at: reader["from"]?.position, pointer / "from")
                    return nil
                }
                return EchoRange(offset: from, length: request.count - from, toEnd: true)
            }
            guard to.stringValue == nil, let end = reader.integer("to", in: 1...65_507) else {
                if to.stringValue != nil { context.error("\"to\" is an offset (not included) or \"end\", found \(to.rendered())", at: to.position, pointer / "to") }
                return nil
            }
            guard end > from else {
                context.error("\"to\" (\(end)) must be past \"from\" (\(from)): the range ends before the offset \"to\" names", at: to.position, pointer / "to")
                return nil
            }
            return EchoRange(offset: from, length: end - from)
        default:
            context.error(help + "; give \"to\" or \"length\"" + (reader["to"] == nil ? "" : ", not both"), at: node.position, pointer)
            return nil
        }
    }
}

import TreatyModel

/// JSON-RPC 2.0 over HTTP, both sides: the mock's answer to a request body (single calls, batches,
/// notifications, the standard's error codes), and the verifier's judgement of a provider's answer.
public enum JSONRPC {
    /// A contract's call, where it sits in the contract.
    public struct Call: Sendable {
        public var position: Int
        public var name: String
        public var spec: JSONRPCInteraction

        public init(position: Int, name: String, spec: JSONRPCInteraction) {
            self.position = position
            self.name = name
            self.spec = spec
        }
    }

    /// What the mock answers: the body (nil: 204, every call was a notification), the positions of
    /// the interactions that matched, and a line per call that matched none.
    public struct Answer: Sendable {
        public var body: [UInt8]?
        public var matched: [(position: Int, name: String)]
        public var problems: [String]
    }

    public static func answer(_ body: [UInt8], calls: [Call]) -> Answer {
        var matched: [(Int, String)] = []
        var problems: [String] = []
        func error(_ id: JSONNode, _ code: Int, _ message: String, _ data: JSONNode? = nil) -> JSONNode {
            var members: [(String, JSONNode)] = [("code", .number(code)), ("message", .string(message))]
            if let data { members.append(("data", data)) }
            return .object([("jsonrpc", .string("2.0")), ("id", id), ("error", .object(members))])
        }
        func one(_ request: JSONNode) -> JSONNode? {
            guard let object = request.objectValue, object["jsonrpc"]?.stringValue == "2.0", let method = object["method"]?.stringValue else {
                problems.append("not a JSON-RPC 2.0 request object: \(String(request.rendered().prefix(200)))")
                return error(.null, -32600, "Invalid Request", .string("a request is an object with \"jsonrpc\": \"2.0\" and a \"method\" string"))
            }
            let id = object["id"]
            if let id, id.stringValue == nil, id.numberValue == nil, !id.isNull {
                problems.append("\"\(method)\": an id that is neither a string, a number nor null: \(id.rendered())")
                return error(.null, -32600, "Invalid Request", .string("\"id\" is a string, a number or null"))
            }
            let candidates = calls.filter { $0.spec.method == method }
            guard !candidates.isEmpty else {
                problems.append("no call \"\(method)\" in the contract")
                let known = Array(Set(calls.map(\.spec.method))).sorted()
                return id.map { error($0, -32601, "Method not found",
                                      .object([("known", .array(known.map { .string($0) }))])) }
            }
            var nearest: [Mismatch] = []
            for call in candidates {
                let mismatches: [Mismatch]
                switch (call.spec.params, object["params"]) {
                case (nil, nil): mismatches = []
                case (nil, let actual?):
                    let empty = (actual.objectValue?.isEmpty ?? false) || (actual.arrayValue?.isEmpty ?? false)
                    mismatches = empty ? [] : [Mismatch(path: "$.params", expected: "no params", actual: actual.rendered(), rule: "absence",
                                                        message: "expected no params")]
                case (let pattern?, let actual):
                    mismatches = ValueMatcher(allowUnexpectedKeys: false).match(pattern, actual ?? .null, at: "$.params")
                }
                if mismatches.isEmpty {
                    matched.append((call.position, call.name))
                    guard let id else { return nil }  // a notification: no answer
                    switch call.spec.outcome {
                    case .result(let pattern):
                        return .object([("jsonrpc", .string("2.0")), ("id", id), ("result", pattern.example)])
                    case .error(let code, let message, let data):
                        return error(id, code, message.example.stringValue ?? message.example.rendered(), data?.example)
                    case .none:
                        return .object([("jsonrpc", .string("2.0")), ("id", id), ("result", .null)])
                    }
                }
                if nearest.isEmpty || mismatches.count < nearest.count { nearest = mismatches }
            }
            problems.append("\"\(method)\": " + nearest.map(\.description).joined(separator: "; "))
            return id.map { error($0, -32602, "Invalid params", .object([("mismatches", .array(nearest.map(\.json)))])) }
        }
        guard let document = try? JSONParser.parse(body).root else {
            problems.append("not JSON")
            return Answer(body: error(.null, -32700, "Parse error").renderedBytes(), matched: [], problems: problems)
        }
        if let batch = document.arrayValue {
            guard !batch.isEmpty else {
                return Answer(body: error(.null, -32600, "Invalid Request", .string("an empty batch")).renderedBytes(), matched: [],
                              problems: ["an empty batch"])
            }
            let answers = batch.compactMap(one)
            return Answer(body: answers.isEmpty ? nil : JSONNode.array(answers).renderedBytes(), matched: matched, problems: problems)
        }
        let single = one(document)
        return Answer(body: single?.renderedBytes(), matched: matched, problems: problems)
    }

    /// The verifier's judgement of a provider's answer to a call sent with `id` (nil: a notification).
    public static func judge(status: Int, body: [UInt8], id: Int?, spec: JSONRPCInteraction) -> [Mismatch] {
        guard let id else {
            if status == 204 || (status == 200 && body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [] }
            return [Mismatch(path: "$.status", expected: "204 (or 200 without a body)", actual: "\(status) with \(body.count) bytes",
                             rule: "notification", message: "a notification gets no answer; got \(status) with \(body.count) bytes")]
        }
        guard status == 200 else {
            return [Mismatch(path: "$.status", expected: "200", actual: String(status), rule: "equality",
                             message: "expected HTTP status 200 for a JSON-RPC answer, got \(status)")]
        }
        guard let answer = try? JSONParser.parse(body).root, let object = answer.objectValue else {
            return [Mismatch(path: "$", expected: "a JSON-RPC response object", actual: String(decoding: body.prefix(200), as: UTF8.self),
                             rule: "type", message: "expected a JSON-RPC response object")]
        }
        var out: [Mismatch] = []
        if object["jsonrpc"]?.stringValue != "2.0" {
            out.append(Mismatch(path: "$.jsonrpc", expected: "\"2.0\"", actual: object["jsonrpc"]?.rendered() ?? "(absent)", rule: "equality",
                                message: "expected \"jsonrpc\": \"2.0\""))
        }
        if object["id"]?.numberValue?.intValue != id {
            out.append(Mismatch(path: "$.id", expected: String(id), actual: object["id"]?.rendered() ?? "(absent)", rule: "equality",
                                message: "expected the id of the call, \(id), got " + (object["id"]?.rendered() ?? "none")))
        }
        switch spec.outcome {
        case .result(let pattern):
            guard let result = object["result"] else {
                let error = object["error"].map { " (an error came: \($0.rendered()))" } ?? ""
                return out + [Mismatch(path: "$.result", expected: "a result", actual: "(absent)", rule: "presence",
                                       message: "expected a result" + error)]
            }
            out += ValueMatcher(allowUnexpectedKeys: true).match(pattern, result, at: "$.result")
        case .error(let code, let message, let data):
            guard let error = object["error"]?.objectValue else {
                return out + [Mismatch(path: "$.error", expected: "an error object", actual: object["result"]?.rendered() ?? "(absent)",
                                       rule: "presence", message: "expected an error object, got " + (object["result"] == nil ? "none" : "a result"))]
            }
            if error["code"]?.numberValue?.intValue != code {
                out.append(Mismatch(path: "$.error.code", expected: String(code), actual: error["code"]?.rendered() ?? "(absent)",
                                    rule: "equality", message: "expected error code \(code), got " + (error["code"]?.rendered() ?? "none")))
            }
            out += ValueMatcher(allowUnexpectedKeys: true).match(message, error["message"] ?? .null, at: "$.error.message")
            if let data { out += ValueMatcher(allowUnexpectedKeys: true).match(data, error["data"] ?? .null, at: "$.error.data") }
        case .none:
            break
        }
        return out
    }
}

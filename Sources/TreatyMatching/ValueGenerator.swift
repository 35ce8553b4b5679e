import Foundation
import TreatyModel

/// Renders the mock's value for a pattern, running generators: random values, `now`, values from
/// the request, the provider states' parameters and the mock's own URL.
public struct ValueGenerator: Sendable {
    public struct Context: Sendable {
        public var request: HTTPRequestData
        public var stateParameters: JSONObject
        public var baseURL: String
        /// The verifier's callback receiver, for `callbackURL` generators (nil in the mock).
        public var callbackBaseURL: String?

        public init(request: HTTPRequestData, stateParameters: JSONObject, baseURL: String, callbackBaseURL: String? = nil) {
            self.request = request
            self.stateParameters = stateParameters
            self.baseURL = baseURL
            self.callbackBaseURL = callbackBaseURL
        }
    }

    public let context: Context

    public init(context: Context) { self.context = context }

    public func render(_ pattern: Pattern) -> JSONNode {
        switch pattern {
        case .null, .bool, .number, .string: return pattern.example
        case .array(let elements): return .array(elements.map(render))
        case .object(let members):
            return JSONNode(.object(JSONObject(members.map { JSONObject.Member(key: $0.key, value: render($0.pattern)) })))
        case .matcher(let matcher):
            if let generator = matcher.generator, let value = generate(generator, matcher.rule) { return value }
            switch matcher.rule {
            case .type(let inner), .notEmpty(let inner): return render(inner)
            case .eachLike(let template, _, _, let count): return .array((0..<count).map { _ in render(template) })
            default: return matcher.rule.example
            }
        }
    }

    /// The generated value, or nil to fall back to the example.
    func generate(_ generator: Generator, _ rule: MatchRule) -> JSONNode? {
        var random = SystemRandomNumberGenerator()
        switch generator {
        case .randomInt(let lo, let hi):
            return JSONNode(.number(JSONNumber(Int.random(in: lo...hi, using: &random))))
        case .randomDecimal(let digits):
            let integerDigits = max(1, digits / 2)
            let whole = String(Int.random(in: 1...9)) + String((1..<integerDigits).map { _ in "0123456789".randomElement()! })
            let fraction = String((0..<max(1, digits - integerDigits)).map { _ in "0123456789".randomElement()! })
            return JSONNode(.number(JSONNumber(text: whole + "." + fraction)))
        case .randomHex(let digits):
            return .string(String((0..<digits).map { _ in "0123456789abcdef".randomElement()! }))
        case .randomString(let size):
            return .string(String((0..<size).map { _ in RegexGenerator.word.randomElement()! }))
        case .regex(let source):
            let pattern: String
            if let source { pattern = source } else if case .regex(let r, _) = rule { pattern = r.source } else { return nil }
            for _ in 0..<10 {
                var generator = RegexGenerator()
                if let text = generator.generate(pattern) {
                    if case .regex(let r, _) = rule, !r.compiled.matchesWhole(text) { continue }
                    return .string(text)
                }
            }
            return nil
        case .uuid:
            return .string(UUID().uuidString.lowercased())
        case .now(let offset):
            let (kind, format): (DateTimeKind, String?) = {
                if case .dateTime(let k, let f, _) = rule { return (k, f) }
                return (.datetime, nil)
            }()
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format ?? kind.defaultFormat
            return .string(formatter.string(from: Date().addingTimeInterval(TimeInterval(offset))))
        case .fromState(let name) where name.contains("${"):
            return fillTemplate(name).map { converted(.string($0), for: rule) }
        case .fromState(let name):
            return context.stateParameters[name].map { converted($0, for: rule) }
        case .mockServerURL(let path):
            return .string(context.baseURL + path)
        case .fromRequest(let pointer):
            return fromRequest(pointer).map { converted($0, for: rule) }
        case .callbackURL(let path):
            return context.callbackBaseURL.map { .string($0 + path) }
        }
    }

    /// `/orders/${id}` with each `${name}` replaced by that state value; nil when one is missing.
    func fillTemplate(_ template: String) -> String? {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { return nil }
            let name = String(rest[open.upperBound..<close])
            guard let value = context.stateParameters[name] else { return nil }
            out += value.stringValue ?? value.rendered()
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    func fromRequest(_ pointer: JSONPointer) -> JSONNode? {
        let tokens = pointer.tokens
        guard let section = tokens.first else { return nil }
        let request = context.request
        switch section {
        case "path":
            let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map { PercentEncoding.decode($0) }
            guard tokens.count == 2, let i = Int(tokens[1]), i >= 0, i < segments.count else { return nil }
            return .string(segments[i])
        case "query":
            guard tokens.count == 2 else { return nil }
            return PercentEncoding.parseQuery(request.query).first { $0.name == tokens[1] }.map { .string($0.value) }
        case "headers":
            guard tokens.count == 2 else { return nil }
            return request.header(tokens[1]).map { .string($0) }
        case "body":
            guard var node = try? JSONParser.parse(request.body).root else { return nil }
            for token in tokens.dropFirst() {
                if let object = node.objectValue, let next = object[token] { node = next; continue }
                if let array = node.arrayValue, let i = Int(token), i >= 0, i < array.count { node = array[i]; continue }
                return nil
            }
            return node
        default:
            return nil
        }
    }

    /// Request values are text; a number matcher gets a number when the text is one.
    func converted(_ node: JSONNode, for rule: MatchRule) -> JSONNode {
        guard let text = node.stringValue else {
            if case .string = rule.example.value, node.numberValue != nil || node.boolValue != nil { return .string(node.rendered()) }
            return node
        }
        switch rule {
        case .integer, .decimal, .number:
            if let parsed = try? JSONParser.parse(text).root, parsed.numberValue != nil { return parsed }
            return node
        default:
            return node
        }
    }
}

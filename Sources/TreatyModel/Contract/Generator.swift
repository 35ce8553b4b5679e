import Foundation

/// How the mock makes a value fresh for each response instead of sending the example
/// (`"generate": …` on a matcher). The matcher still says what the provider must send.
public enum Generator: Sendable, Equatable {
    case randomInt(min: Int, max: Int)
    case randomDecimal(digits: Int)
    case randomHex(digits: Int)
    case randomString(size: Int)
    /// A string matching the matcher's regular expression (or this one).
    case regex(String?)
    case uuid
    /// Now, shifted by an offset in seconds, in the matcher's date/time format.
    case now(offsetSeconds: Int)
    /// A parameter of the interaction's provider states (`{"fromState": "id"}`).
    case fromState(String)
    /// The mock server's own base URL followed by this path (`{"mockServerURL": "/orders/42"}`).
    case mockServerURL(String)
    /// A value from the request, by JSON pointer: `/path/1`, `/query/page`, `/headers/X-Id`, `/body/customer/id`.
    case fromRequest(JSONPointer)
    /// In a request the verifier sends: the URL of its callback receiver followed by this path
    /// (`{"callbackURL": "/payment-events"}`), so the provider calls back where the verifier listens.
    /// The mock sends the example.
    case callbackURL(String)

    /// Reads `"uuid"`, `"regex"`, `"now"`, or `{"randomInt": [1, 9]}`, `{"now": "+1d"}`, … ; nil with a message.
    static func parse(_ node: JSONNode) -> Result<Generator, Problem> {
        func problem(_ m: String) -> Result<Generator, Problem> { .failure(Problem(message: m)) }
        if let name = node.stringValue {
            switch name {
            case "uuid": return .success(.uuid)
            case "regex": return .success(.regex(nil))
            case "now": return .success(.now(offsetSeconds: 0))
            default: return problem("unknown generator \"\(name)\"; generators are " + names)
            }
        }
        guard let object = node.objectValue, object.count == 1, let member = object.members.first else {
            return problem("a generator is a name (\"uuid\", \"regex\", \"now\") or an object with one key; generators are " + names)
        }
        let value = member.value
        func int(_ n: JSONNode?) -> Int? { n?.numberValue?.intValue }
        switch member.key {
        case "randomInt":
            guard let range = value.arrayValue, range.count == 2, let lo = int(range[0]), let hi = int(range[1]), lo <= hi else {
                return problem("randomInt takes [min, max] with min ≤ max")
            }
            return .success(.randomInt(min: lo, max: hi))
        case "randomDecimal", "randomHex", "randomString":
            guard let n = int(value), sizes.contains(n) else { return problem("\(member.key) takes a size from 1 to 1000") }
            return .success(member.key == "randomDecimal" ? .randomDecimal(digits: n) : member.key == "randomHex" ? .randomHex(digits: n) : .randomString(size: n))
        case "regex":
            guard let source = value.stringValue else { return problem("regex takes a regular expression") }
            return .success(.regex(source))
        case "now":
            guard let text = value.stringValue, let seconds = Duration.offsetSeconds(text) else {
                return problem("now takes an offset such as \"+1d\", \"-2h\", \"+30m\", \"+10s\", of at most 100 years either way")
            }
            return .success(.now(offsetSeconds: seconds))
        case "fromState":
            guard let name = value.stringValue, !name.isEmpty else { return problem("fromState takes a state parameter name") }
            return .success(.fromState(name))
        case "mockServerURL":
            guard let path = value.stringValue else { return problem("mockServerURL takes a path such as \"/orders/42\"") }
            return .success(.mockServerURL(path))
        case "callbackURL":
            guard let path = value.stringValue, path.hasPrefix("/") else { return problem("callbackURL takes a path such as \"/payment-events\"") }
            return .success(.callbackURL(path))
        case "fromRequest":
            guard let text = value.stringValue, text.hasPrefix("/"),
                  let first = text.split(separator: "/").first, ["path", "query", "headers", "body"].contains(String(first)) else {
                return problem("fromRequest takes a pointer starting with /path, /query, /headers or /body, such as \"/path/1\"")
            }
            return .success(.fromRequest(JSONPointer(text.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
                String($0).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            })))
        default:
            return problem("unknown generator \"\(member.key)\"; generators are " + names)
        }
    }

    /// The generator as written in contracts (`"uuid"`, `{"randomInt": [1, 9]}`).
    public var contractJSON: JSONNode {
        switch self {
        case .randomInt(let lo, let hi): .object([("randomInt", .array([.number(lo), .number(hi)]))])
        case .randomDecimal(let n): .object([("randomDecimal", .number(n))])
        case .randomHex(let n): .object([("randomHex", .number(n))])
        case .randomString(let n): .object([("randomString", .number(n))])
        case .regex(nil): .string("regex")
        case .regex(let source?): .object([("regex", .string(source))])
        case .uuid: .string("uuid")
        case .now(0): .string("now")
        case .now(let offset): .object([("now", .string((offset < 0 ? "-" : "+") + "\(abs(offset))s"))])
        case .fromState(let name): .object([("fromState", .string(name))])
        case .mockServerURL(let path): .object([("mockServerURL", .string(path))])
        case .fromRequest(let pointer): .object([("fromRequest", .string(pointer.description))])
        case .callbackURL(let path): .object([("callbackURL", .string(path))])
        }
    }

    /// The digits or characters a random generator may make: a count from a contract, bounded so
    /// that a negative one cannot trap and a huge one cannot exhaust memory on every response.
    public static let sizes = 1...1000

    /// The largest `now` offset, either way: 100 years of 366 days. Larger ones overflowed.
    public static let maximumOffsetSeconds = 100 * 366 * 86_400

    static let names = "uuid, regex, now, randomInt, randomDecimal, randomHex, randomString, fromState, mockServerURL, fromRequest, callbackURL"

    public struct Problem: Error, Hashable, Sendable {
        public var message: String
    }
}

/// Offsets such as `+1d`, `-2h`, `+30m`, `15s`, `+1d2h`.
enum Duration {
    static func offsetSeconds(_ text: String) -> Int? {
        var sign = 1
        var rest = Substring(text.replacingOccurrences(of: " ", with: ""))
        if rest.first == "+" { rest.removeFirst() } else if rest.first == "-" { sign = -1; rest.removeFirst() }
        guard !rest.isEmpty else { return nil }
        var total = 0
        var number = ""
        for c in rest {
            if c.isNumber { number.append(c); continue }
            guard let n = Int(number) else { return nil }
            let unit: Int
            switch c {
            case "d": unit = 86_400
            case "h": unit = 3_600
            case "m": unit = 60
            case "s": unit = 1
            default: return nil
            }
            // Checked: `+9999999999999999d` trapped.
            let (seconds, overflow) = n.multipliedReportingOverflow(by: unit)
            guard !overflow, seconds <= Generator.maximumOffsetSeconds - total else { return nil }
            total += seconds
            number = ""
        }
        guard number.isEmpty else { return nil }
        return sign * total
    }
}

import Foundation

/// The well-known types' own JSON forms (proto3 JSON mapping): Timestamp as RFC 3339, Duration as
/// "1.5s", wrappers as their value, Struct/Value/ListValue as plain JSON, Empty as {}, FieldMask as
/// "a.b,c", Any with "@type". Decoding turns the generic form into these; encoding the other way.
enum ProtoWellKnown {
    static let wrappers: Set<String> = ["DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value",
                                        "BoolValue", "StringValue", "BytesValue"].reduce(into: []) { $0.insert("google.protobuf." + $1) }
    static let special: Set<String> = wrappers.union(["Timestamp", "Duration", "Struct", "Value", "ListValue", "Empty", "FieldMask", "Any"]
        .map { "google.protobuf." + $0 })

    // MARK: generic → special (decoding)

    static func fromGeneric(_ type: String, _ node: JSONNode, _ transcoder: ProtoJSON, depth: Int) throws(ProtoError) -> JSONNode {
        let object = node.objectValue ?? JSONObject()
        func int64(_ key: String) -> Int64 { object[key].flatMap { $0.stringValue.flatMap(Int64.init) ?? $0.numberValue?.intValue.map(Int64.init) } ?? 0 }
        switch type {
        case "google.protobuf.Timestamp": return .string(try timestamp(seconds: int64("seconds"), nanos: Int(int64("nanos"))))
        case "google.protobuf.Duration": return .string(duration(seconds: int64("seconds"), nanos: Int(int64("nanos"))))
        case "google.protobuf.Empty": return .object([])
        case "google.protobuf.Struct": return object["fields"] ?? .object([])
        case "google.protobuf.ListValue": return object["values"] ?? .array([])
        case "google.protobuf.Value":
            if object["nullValue"] != nil { return .null }
            for key in ["numberValue", "stringValue", "boolValue", "structValue", "listValue"] { if let v = object[key] { return v } }
            return .null
        case "google.protobuf.FieldMask":
            return .string((object["paths"]?.arrayValue ?? []).compactMap(\.stringValue).map(ProtoDescriptorPool.lowerCamel).joined(separator: ","))
        case "google.protobuf.Any":
            guard let url = object["typeUrl"]?.stringValue else { return .object([]) }
            let inner = String(url.split(separator: "/").last ?? "")
            let bytes = object["value"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? []
            let decoded = try transcoder.decode(bytes, as: inner, options: [], depth: depth + 1)
            if special.contains(inner) { return .object([("@type", .string(url)), ("value", decoded)]) }
            return .object([("@type", .string(url))] + (decoded.objectValue?.members.map { ($0.key, $0.value) } ?? []))
        default:  // wrappers
            if let value = object["value"] { return value }
            switch type {
            case "google.protobuf.BoolValue": return .bool(false)
            case "google.protobuf.StringValue", "google.protobuf.BytesValue": return .string("")
            case "google.protobuf.Int64Value", "google.protobuf.UInt64Value": return .string("0")
            default: return .number(0)
            }
        }
    }

    // MARK: special → generic (encoding)

    static func toGeneric(_ type: String, _ json: JSONNode, _ transcoder: ProtoJSON, at: String, depth: Int) throws(ProtoError) -> JSONNode {
        switch type {
        case "google.protobuf.Timestamp":
            guard let text = json.stringValue, let (seconds, nanos) = parseTimestamp(text) else {
                throw ProtoError("\(at): a Timestamp is RFC 3339 text such as \"2026-11-26T10:00:20.021Z\", found \(json.rendered())")
            }
            return .object([("seconds", .string(String(seconds))), ("nanos", .number(nanos))])
        case "google.protobuf.Duration":
            guard let text = json.stringValue, let (seconds, nanos) = parseDuration(text) else {
                throw ProtoError("\(at): a Duration is text such as \"1.5s\" or \"-3s\", found \(json.rendered())")
            }
            return .object([("seconds", .string(String(seconds))), ("nanos", .number(nanos))])
        case "google.protobuf.Empty":
            guard json.objectValue?.isEmpty ?? false else { throw ProtoError("\(at): an Empty is {}") }
            return .object([])
        case "google.protobuf.Struct":
            guard json.objectValue != nil else { throw ProtoError("\(at): a Struct is a JSON object, found \(json.typeName)") }
            return .object([("fields", json)])
        case "google.protobuf.ListValue":
            guard json.arrayValue != nil else { throw ProtoError("\(at): a ListValue is a JSON array, found \(json.typeName)") }
            return .object([("values", json)])
        case "google.protobuf.Value":
            switch json.value {
            case .null: return .object([("nullValue", .string("NULL_VALUE"))])
            case .number: return .object([("numberValue", json)])
            case .string: return .object([("stringValue", json)])
            case .bool: return .object([("boolValue", json)])
            case .object: return .object([("structValue", json)])
            case .array: return .object([("listValue", json)])
            }
        case "google.protobuf.FieldMask":
            guard let text = json.stringValue else { throw ProtoError("\(at): a FieldMask is text such as \"items.sku,bySlot\"") }
            let paths = text.split(separator: ",").map { path in
                String(path).split(separator: ".").map { snake(String($0)) }.joined(separator: ".")
            }
            return .object([("paths", .array(paths.map { .string($0) }))])
        case "google.protobuf.Any":
            guard let object = json.objectValue, let url = object["@type"]?.stringValue else {
                throw ProtoError("\(at): an Any is an object with \"@type\" (type.googleapis.com/PACKAGE.Message)")
            }
            let inner = String(url.split(separator: "/").last ?? "")
            let rest = JSONNode(.object(JSONObject(object.members.filter { $0.key != "@type" })))
            let payload = special.contains(inner) ? (object["value"] ?? .null) : rest
            let bytes = try transcoder.encodeMessage(payload, inner, path: at, depth: depth + 1)
            return .object([("typeUrl", .string(url)), ("value", .string(Data(bytes).base64EncodedString()))])
        default:  // wrappers
            return .object([("value", json)])
        }
    }

    static func snake(_ camel: String) -> String {
        var out = ""
        for c in camel {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }

    // MARK: text forms

    static func fraction(_ nanos: Int) -> String {
        guard nanos != 0 else { return "" }
        if nanos % 1_000_000 == 0 { return "." + String(format: "%03d", nanos / 1_000_000) }
        if nanos % 1_000 == 0 { return "." + String(format: "%06d", nanos / 1_000) }
        return "." + String(format: "%09d", nanos)
    }

    static func timestamp(seconds: Int64, nanos: Int) throws(ProtoError) -> String {
        guard (-62_135_596_800...253_402_300_799).contains(seconds), (0..<1_000_000_000).contains(nanos) else {
            throw ProtoError("a Timestamp out of range: \(seconds) s, \(nanos) ns")
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                          Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        return text + fraction(nanos) + "Z"
    }

    static func duration(seconds: Int64, nanos: Int) -> String {
        let negative = seconds < 0 || nanos < 0
        return (negative ? "-" : "") + String(abs(seconds)) + fraction(abs(nanos)) + "s"
    }

    /// "2026-11-26T10:00:20.021Z" or with an offset such as "+01:00".
    static func parseTimestamp(_ text: String) -> (Int64, Int)? {
        let chars = Array(text.utf8)
        guard chars.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: chars[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19), chars[4] == UInt8(ascii: "-"), chars[10] == UInt8(ascii: "T") ||
              chars[10] == UInt8(ascii: "t") else { return nil }
        var index = 19, nanos = 0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < chars.count, (48...57).contains(chars[index]) {
                if digits < 9 { nanos = nanos * 10 + Int(chars[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 where digits < 9 { nanos *= 10 }
        }
        var offset = 0
        guard index < chars.count else { return nil }
        if chars[index] == UInt8(ascii: "Z") || chars[index] == UInt8(ascii: "z") {
            index += 1
        } else if chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-"), chars.count == index + 6,
                  let h = number((index + 1)..<(index + 3)), let m = number((index + 4)..<(index + 6)) {
            offset = (h * 3600 + m * 60) * (chars[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == chars.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return (Int64(timegm(&parts)) - Int64(offset), nanos)
    }

    /// "1.000340012s", "-3s".
    static func parseDuration(_ text: String) -> (Int64, Int)? {
        guard text.hasSuffix("s") else { return nil }
        var body = Substring(text.dropLast())
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let halves = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(halves.count), let seconds = Int64(halves[0]), halves[0].allSatisfy(\.isNumber) else { return nil }
        var nanos = 0
        if halves.count == 2 {
            let digits = halves[1]
            guard (1...9).contains(digits.count), digits.allSatisfy(\.isNumber), let n = Int(digits) else { return nil }
            nanos = n * Int(pow(10.0, Double(9 - digits.count)))
        }
        guard seconds <= 315_576_000_000 else { return nil }
        return negative ? (-seconds, -nanos) : (seconds, nanos)
    }
}

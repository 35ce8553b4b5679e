import Foundation

/// Transcodes between protobuf binary and the proto3 JSON mapping by walking descriptors: scalars
/// (64-bit integers as JSON strings, bytes as base64, NaN and infinities as strings), enums (by
/// name; numbers accepted), nested messages, repeated fields (packed or not when reading; packed
/// when writing numbers), maps and oneofs. Unknown fields are skipped when reading, or kept (with
/// `.keepUnknownFields`) as `"$unknownFields": base64` of their wire bytes, which encoding writes back.
/// Well-known types get their own JSON forms (`ProtoWellKnown`).
public struct ProtoJSON: Sendable {
    public let pool: ProtoDescriptorPool

    public init(pool: ProtoDescriptorPool) { self.pool = pool }

    /// The member that carries unknown fields through a JSON round trip.
    public static let unknownFieldsKey = "$unknownFields"

    public struct DecodeOptions: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// Singular scalars and enums that are not on the wire appear with their default value
        /// (0, "", false, the first enum value), repeated fields as [] and maps as {}: what a
        /// contract's matchers compare against, since proto3 does not send defaults.
        public static let includeDefaults = DecodeOptions(rawValue: 1)
        /// Fields the descriptor does not know are kept as `"$unknownFields"`.
        public static let keepUnknownFields = DecodeOptions(rawValue: 2)
    }

    // MARK: binary → JSON

    public func decode(_ bytes: [UInt8], as type: String, options: DecodeOptions = []) throws(ProtoError) -> JSONNode {
        try decode(bytes, as: type, options: options, depth: 0)
    }

    /// Decodes a message found `depth` levels down (an `Any`'s payload counts the levels around it).
    func decode(_ bytes: [UInt8], as type: String, options: DecodeOptions, depth: Int) throws(ProtoError) -> JSONNode {
        var reader = ProtoReader(bytes, depth: depth)
        return try decodeMessage(&reader, type, options)
    }

    private func message(_ type: String) throws(ProtoError) -> ProtoDescriptorPool.Message {
        guard let message = pool.messages[type] else { throw ProtoError("no message type \"\(type)\" in the descriptors") }
        return message
    }

    private func decodeMessage(_ reader: inout ProtoReader, _ type: String, _ options: DecodeOptions) throws(ProtoError) -> JSONNode {
        let descriptor = try message(type)
        var values: [Int: JSONNode] = [:], lists: [Int: [JSONNode]] = [:], maps: [Int: [(String, JSONNode)]] = [:]
        var unknown: [UInt8] = []
        while !reader.atEnd {
            let start = reader.offset
            let (number, wire) = try reader.tag()
            guard let field = descriptor.field(number: number) else {
                try reader.skip(wire)
                if options.contains(.keepUnknownFields) { unknown += reader.bytes(from: start, to: reader.offset) }
                continue
            }
            if field.repeated, let entryType = field.typeName, pool.messages[entryType]?.isMapEntry == true {
                var entry = try reader.nested()
                let pair = try decodeMessage(&entry, entryType, options.subtracting(.includeDefaults))
                let entryFields = pool.messages[entryType]?.fields ?? []
                // A key or value equal to its default is not on the wire.
                let key = (pair["key"] ?? entryFields.first { $0.number == 1 }.flatMap(defaultValue)).map { $0.stringValue ?? $0.rendered() } ?? ""
                let valueField = entryFields.first { $0.number == 2 }
                let value = pair["value"] ?? valueField.flatMap(defaultValue) ?? (valueField?.kind == .message ? .object([]) : .null)
                maps[number, default: []].append((key, value))
            } else if field.repeated, wire == .lengthDelimited, Self.isPackable(field.kind) {
                var packed = try reader.nested()
                while !packed.atEnd { lists[number, default: []].append(try scalar(&packed, field, Self.wireType(field.kind))) }
            } else if field.repeated {
                lists[number, default: []].append(try value(&reader, field, wire, options))
            } else {
                values[number] = try value(&reader, field, wire, options)
            }
        }
        var members: [(String, JSONNode)] = []
        let special = ProtoWellKnown.special.contains(type)
        for field in descriptor.fields {
            if let value = values[field.number] {
                members.append((field.jsonName, value))
            } else if let list = lists[field.number] {
                members.append((field.jsonName, .array(list)))
            } else if let map = maps[field.number] {
                members.append((field.jsonName, .object(map)))
            } else if options.contains(.includeDefaults), !special, let value = defaultValue(field) {
                members.append((field.jsonName, value))
            }
        }
        if special { return try ProtoWellKnown.fromGeneric(type, .object(members), self, depth: reader.depth) }
        if !unknown.isEmpty { members.append((Self.unknownFieldsKey, .string(Data(unknown).base64EncodedString()))) }
        return .object(members)
    }

    /// What proto3 JSON shows for a field that is not on the wire, when defaults are asked for;
    /// nil for fields with presence (messages, oneof members, `optional`).
    private func defaultValue(_ field: ProtoDescriptorPool.Field) -> JSONNode? {
        if field.repeated {
            if let entry = field.typeName, pool.messages[entry]?.isMapEntry == true { return .object([]) }
            return .array([])
        }
        if field.oneofIndex != nil || field.proto3Optional { return nil }
        switch field.kind {
        case .message, .group: return nil
        case .string, .bytes: return .string("")
        case .bool: return .bool(false)
        case .int64, .uint64, .sint64, .fixed64, .sfixed64: return .string("0")
        case .enumeration:
            let values = pool.enums[field.typeName ?? ""]?.values ?? []
            return values.first(where: { $0.number == 0 }).map { .string($0.name) } ?? .number(0)
        default: return .number(0)
        }
    }

    private func value(_ reader: inout ProtoReader, _ field: ProtoDescriptorPool.Field, _ wire: WireType, _ options: DecodeOptions) throws(ProtoError) -> JSONNode {
        if field.kind == .message {
            var nested = try reader.nested()
            return try decodeMessage(&nested, field.typeName ?? "", options)
        }
        guard wire == Self.wireType(field.kind) else {
            throw ProtoError("field \(field.name) (\(field.number)): wire type \(wire.rawValue) does not fit \(field.kind)")
        }
        return try scalar(&reader, field, wire)
    }

    private func scalar(_ reader: inout ProtoReader, _ field: ProtoDescriptorPool.Field, _ wire: WireType) throws(ProtoError) -> JSONNode {
        switch field.kind {
        case .int32: return .number(Int(Int32(truncatingIfNeeded: try reader.varint())))
        case .int64: return .string(String(Int64(bitPattern: try reader.varint())))
        case .uint32: return .number(Int(UInt32(truncatingIfNeeded: try reader.varint())))
        case .uint64: return .string(String(try reader.varint()))
        case .sint32: return .number(Int(ZigZag.decode(try reader.varint())))
        case .sint64: return .string(String(ZigZag.decode(try reader.varint())))
        case .fixed32: return .number(Int(try reader.fixed32()))
        case .sfixed32: return .number(Int(Int32(bitPattern: try reader.fixed32())))
        case .fixed64: return .string(String(try reader.fixed64()))
        case .sfixed64: return .string(String(Int64(bitPattern: try reader.fixed64())))
        case .bool: return .bool(try reader.varint() != 0)
        case .double: return Self.floating(Double(bitPattern: try reader.fixed64()))
        case .float: return Self.floating(Double(Float(bitPattern: try reader.fixed32())))
        case .string: return .string(String(decoding: try reader.lengthDelimited(), as: UTF8.self))
        case .bytes: return .string(Data(try reader.lengthDelimited()).base64EncodedString())
        case .enumeration:
            let number = Int(Int32(truncatingIfNeeded: try reader.varint()))
            if let name = pool.enums[field.typeName ?? ""]?.values.first(where: { $0.number == number })?.name { return .string(name) }
            return .number(number)
        case .message, .group:
            throw ProtoError("field \(field.name): \(field.kind) is not a scalar")
        }
    }

    private static func floating(_ value: Double) -> JSONNode {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
        if value == value.rounded(), abs(value) < 1e15 { return JSONNode(.number(JSONNumber(text: String(Int64(value))))) }
        return JSONNode(.number(JSONNumber(value)))
    }

    static func isPackable(_ kind: ProtoDescriptorPool.Field.Kind) -> Bool {
        ![.string, .bytes, .message, .group].contains(kind)
    }

    static func wireType(_ kind: ProtoDescriptorPool.Field.Kind) -> WireType {
        switch kind {
        case .double, .fixed64, .sfixed64: .fixed64
        case .float, .fixed32, .sfixed32: .fixed32
        case .string, .bytes, .message: .lengthDelimited
        case .group: .startGroup
        default: .varint
        }
    }

    // MARK: JSON → binary

    public func encode(_ json: JSONNode, as type: String) throws(ProtoError) -> [UInt8] {
        try encodeMessage(json, type, path: "$", depth: 0)
    }

    /// Encodes a message that sits `depth` levels down; past `ProtoReader.maximumDepth` levels it
    /// throws, so JSON that no protobuf parser would read back is refused rather than written.
    func encodeMessage(_ json: JSONNode, _ type: String, path: String, depth: Int) throws(ProtoError) -> [UInt8] {
        guard depth <= ProtoReader.maximumDepth else {
            throw ProtoError("\(path.count > 200 ? String(path.prefix(200)) + "…" : path): messages nest deeper than \(ProtoReader.maximumDepth) levels (protobuf's recursion limit)")
        }
        let descriptor = try message(type)
        var json = json
        if ProtoWellKnown.special.contains(type) { json = try ProtoWellKnown.toGeneric(type, json, self, at: path, depth: depth) }
        guard let object = json.objectValue else { throw ProtoError("\(path): \(type) is written as a JSON object, found \(json.typeName)") }
        var writer = ProtoWriter()
        var oneofsSet: [Int: String] = [:]
        for member in object.members {
            let at = path + "." + member.key
            if member.key == Self.unknownFieldsKey {
                guard let text = member.value.stringValue, let data = Data(base64Encoded: text) else {
                    throw ProtoError("\(at): unknown fields are kept as a base64 string")
                }
                writer.raw([UInt8](data))
                continue
            }
            guard let field = descriptor.field(named: member.key) else {
                throw ProtoError("\(at): \(type) has no field \"\(member.key)\" (fields: \(descriptor.fields.map(\.jsonName).joined(separator: ", ")))")
            }
            // null means "not set", except for a Value, whose null is a value.
            if member.value.isNull && field.typeName != "google.protobuf.Value" { continue }
            if let oneof = field.oneofIndex, !field.proto3Optional {
                if let other = oneofsSet[oneof] {
                    throw ProtoError("\(at): \"\(other)\" and \"\(member.key)\" are in the same oneof \(descriptor.oneofs[safe: oneof] ?? "")")
                }
                oneofsSet[oneof] = member.key
            }
            if field.repeated, let entryType = field.typeName, let entry = pool.messages[entryType], entry.isMapEntry {
                guard let map = member.value.objectValue else { throw ProtoError("\(at): a map is written as a JSON object") }
                guard let keyField = entry.field(number: 1), let valueField = entry.field(number: 2) else { throw ProtoError("\(at): a malformed map entry") }
                for pair in map.members {
                    var entryWriter = ProtoWriter()
                    let key = try mapKey(pair.key, keyField, at: at + "." + pair.key)
                    try write(key, keyField, into: &entryWriter, at: at + "." + pair.key, depth: depth + 1)
                    try write(pair.value, valueField, into: &entryWriter, at: at + "." + pair.key, depth: depth + 1)
                    writer.tag(field.number, .lengthDelimited)
                    writer.lengthDelimited(entryWriter.bytes)
                }
            } else if field.repeated {
                guard let elements = member.value.arrayValue else { throw ProtoError("\(at): a repeated field is written as a JSON array") }
                if Self.isPackable(field.kind) {
                    var packed = ProtoWriter()
                    for (i, element) in elements.enumerated() { try writeScalar(element, field, into: &packed, at: at + "[\(i)]") }
                    writer.tag(field.number, .lengthDelimited)
                    writer.lengthDelimited(packed.bytes)
                } else {
                    for (i, element) in elements.enumerated() { try write(element, field, into: &writer, at: at + "[\(i)]", depth: depth) }
                }
            } else {
                try write(member.value, field, into: &writer, at: at, depth: depth)
            }
        }
        return writer.bytes
    }

    /// Map keys are JSON strings; typed keys are parsed back to their scalar.
    private func mapKey(_ key: String, _ field: ProtoDescriptorPool.Field, at: String) throws(ProtoError) -> JSONNode {
        switch field.kind {
        case .string: return .string(key)
        case .bool:
            guard key == "true" || key == "false" else { throw ProtoError("\(at): a bool map key is \"true\" or \"false\"") }
            return .bool(key == "true")
        default: return .string(key)  // integers: writeScalar reads them from text
        }
    }

    private func write(_ json: JSONNode, _ field: ProtoDescriptorPool.Field, into writer: inout ProtoWriter, at: String,
                       depth: Int) throws(ProtoError) {
        if field.kind == .message {
            let bytes = try encodeMessage(json, field.typeName ?? "", path: at, depth: depth + 1)
            writer.tag(field.number, .lengthDelimited)
            writer.lengthDelimited(bytes)
            return
        }
        writer.tag(field.number, Self.wireType(field.kind))
        try writeScalar(json, field, into: &writer, at: at)
    }

    private func writeScalar(_ json: JSONNode, _ field: ProtoDescriptorPool.Field, into writer: inout ProtoWriter, at: String) throws(ProtoError) {
        func integer() throws(ProtoError) -> Int64 {
            if let n = json.numberValue, n.isInteger, let v = Int64(n.text) { return v }
            if let n = json.numberValue, let d = Double(n.text), d == d.rounded(), abs(d) < 9.2e18 { return Int64(d) }
            if let s = json.stringValue, let v = Int64(s) { return v }
            throw ProtoError("\(at): expected an integer for \(field.name) (\(field.kind)), found \(json.rendered())")
        }
        func unsigned() throws(ProtoError) -> UInt64 {
            if let n = json.numberValue, n.isInteger, let v = UInt64(n.text) { return v }
            if let s = json.stringValue, let v = UInt64(s) { return v }
            throw ProtoError("\(at): expected an unsigned integer for \(field.name) (\(field.kind)), found \(json.rendered())")
        }
        func floating() throws(ProtoError) -> Double {
            if let n = json.numberValue { return n.doubleValue }
            switch json.stringValue {
            case "NaN"?: return .nan
            case "Infinity"?: return .infinity
            case "-Infinity"?: return -.infinity
            case let s?: if let d = Double(s) { return d }
            default: break
            }
            throw ProtoError("\(at): expected a number for \(field.name), found \(json.rendered())")
        }
        func ranged(_ v: Int64, _ range: ClosedRange<Int64>) throws(ProtoError) -> Int64 {
            guard range.contains(v) else { throw ProtoError("\(at): \(v) is out of range for \(field.name) (\(field.kind))") }
            return v
        }
        switch field.kind {
        case .int32: writer.varint(UInt64(bitPattern: try ranged(integer(), Int64(Int32.min)...Int64(Int32.max))))
        case .int64: writer.varint(UInt64(bitPattern: try integer()))
        case .uint32: writer.varint(UInt64(try ranged(Int64(bitPattern: unsigned()), 0...Int64(UInt32.max))))
        case .uint64: writer.varint(try unsigned())
        case .sint32: writer.varint(ZigZag.encode(try ranged(integer(), Int64(Int32.min)...Int64(Int32.max))))
        case .sint64: writer.varint(ZigZag.encode(try integer()))
        case .fixed32: writer.fixed32(UInt32(try ranged(Int64(bitPattern: unsigned()), 0...Int64(UInt32.max))))
        case .sfixed32: writer.fixed32(UInt32(bitPattern: Int32(try ranged(integer(), Int64(Int32.min)...Int64(Int32.max)))))
        case .fixed64: writer.fixed64(try unsigned())
        case .sfixed64: writer.fixed64(UInt64(bitPattern: try integer()))
        case .bool:
            guard let b = json.boolValue else { throw ProtoError("\(at): expected true or false for \(field.name), found \(json.rendered())") }
            writer.varint(b ? 1 : 0)
        case .double: writer.fixed64(try floating().bitPattern)
        case .float: writer.fixed32(Float(try floating()).bitPattern)
        case .string:
            guard let s = json.stringValue else { throw ProtoError("\(at): expected a string for \(field.name), found \(json.rendered())") }
            writer.lengthDelimited(Array(s.utf8))
        case .bytes:
            guard let s = json.stringValue, let data = Data(base64Encoded: s) ?? Data(base64Encoded: Self.standardBase64(s)) else {
                throw ProtoError("\(at): expected base64 for \(field.name), found \(json.rendered())")
            }
            writer.lengthDelimited([UInt8](data))
        case .enumeration:
            let values = pool.enums[field.typeName ?? ""]?.values ?? []
            if let name = json.stringValue {
                guard let value = values.first(where: { $0.name == name }) else {
                    throw ProtoError("\(at): \"\(name)\" is not a value of \(field.typeName ?? "the enum") (\(values.map(\.name).joined(separator: ", ")))")
                }
                writer.varint(UInt64(bitPattern: Int64(value.number)))
            } else {
                writer.varint(UInt64(bitPattern: try integer()))
            }
        case .message, .group:
            throw ProtoError("\(at): \(field.kind) is not a scalar")
        }
    }

    /// URL-safe base64 (which the JSON mapping also accepts) as standard base64, padded.
    private static func standardBase64(_ s: String) -> String {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return t
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

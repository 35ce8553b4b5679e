/// The protobuf wire format: varints, zigzag, fixed-width numbers and length-delimited fields.
/// Reading never traps: malformed input throws `ProtoError` with the byte offset.
public struct ProtoError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum WireType: UInt8 {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
}

public struct ProtoReader {
    /// How deep length-delimited fields may nest (messages in messages, map entries), as
    /// protobuf's own parsers limit recursion (100 by default): deeper input throws instead of
    /// overflowing the stack of whoever decodes it.
    public static let maximumDepth = 100

    private let bytes: [UInt8]
    public private(set) var offset: Int
    private let end: Int
    /// How many `nested()` readers lie between this one and the outermost.
    public let depth: Int

    public init(_ bytes: [UInt8], depth: Int = 0) {
        self.bytes = bytes
        offset = 0
        end = bytes.count
        self.depth = depth
    }

    private init(_ bytes: [UInt8], from start: Int, to end: Int, depth: Int) {
        self.bytes = bytes
        offset = start
        self.end = end
        self.depth = depth
    }

    public var atEnd: Bool { offset >= end }

    /// The raw bytes between two offsets of this reader (an unknown field kept as it came).
    public func bytes(from start: Int, to stop: Int) -> ArraySlice<UInt8> { bytes[start..<stop] }

    public mutating func varint() throws(ProtoError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw ProtoError("a varint runs past the end at byte \(offset)") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw ProtoError("a varint longer than 10 bytes at byte \(offset)") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    public mutating func fixed32() throws(ProtoError) -> UInt32 {
        guard end - offset >= 4 else { throw ProtoError("a fixed32 runs past the end at byte \(offset)") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return value
    }

    public mutating func fixed64() throws(ProtoError) -> UInt64 {
        guard end - offset >= 8 else { throw ProtoError("a fixed64 runs past the end at byte \(offset)") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return value
    }

    public mutating func lengthDelimited() throws(ProtoError) -> ArraySlice<UInt8> {
        let length = try varint()
        guard length <= UInt64(end - offset) else { throw ProtoError("a length of \(length) runs past the end at byte \(offset)") }
        let slice = bytes[offset..<(offset + Int(length))]
        offset += Int(length)
        return slice
    }

    /// A reader over a length-delimited field's contents; throws past `maximumDepth` levels.
    public mutating func nested() throws(ProtoError) -> ProtoReader {
        let at = offset
        let slice = try lengthDelimited()
        guard depth < Self.maximumDepth else {
            throw ProtoError("messages nest deeper than \(Self.maximumDepth) levels at byte \(at) (protobuf's recursion limit)")
        }
        return ProtoReader(bytes, from: slice.startIndex, to: slice.endIndex, depth: depth + 1)
    }

    /// The next field's number and wire type.
    public mutating func tag() throws(ProtoError) -> (field: Int, wire: WireType) {
        let key = try varint()
        guard let wire = WireType(rawValue: UInt8(key & 7)), key >> 3 > 0, key >> 3 <= 536_870_911 else {
            throw ProtoError("an invalid field key \(key) at byte \(offset)")
        }
        return (Int(key >> 3), wire)
    }

    /// Skips a field of `wire` type (an unknown field).
    public mutating func skip(_ wire: WireType) throws(ProtoError) {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32: _ = try fixed32()
        case .startGroup, .endGroup: throw ProtoError("groups (proto2) are not supported, at byte \(offset)")
        }
    }
}

public struct ProtoWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func tag(_ field: Int, _ wire: WireType) { varint(UInt64(field) << 3 | UInt64(wire.rawValue)) }

    public mutating func fixed32(_ value: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) } }

    public mutating func fixed64(_ value: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) } }

    public mutating func lengthDelimited(_ payload: [UInt8]) {
        varint(UInt64(payload.count))
        bytes += payload
    }

    public mutating func raw(_ payload: [UInt8]) { bytes += payload }

    /// A length-delimited field: its tag, length and payload.
    public mutating func field(_ number: Int, _ payload: [UInt8]) {
        tag(number, .lengthDelimited)
        lengthDelimited(payload)
    }

    public mutating func field(_ number: Int, _ text: String) { field(number, Array(text.utf8)) }

    public mutating func field(_ number: Int, varint value: UInt64) {
        tag(number, .varint)
        varint(value)
    }
}

enum ZigZag {
    static func encode(_ n: Int64) -> UInt64 { UInt64(bitPattern: (n << 1) ^ (n >> 63)) }
    static func decode(_ n: UInt64) -> Int64 { Int64(bitPattern: n >> 1) ^ -Int64(bitPattern: n & 1) }
}

/// A JSON value with the position where it was written.
///
/// Equality ignores positions: two nodes are equal when their values are.
public struct JSONNode: Sendable, CustomStringConvertible {
    public indirect enum Value: Sendable {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([JSONNode])
        case object(JSONObject)
    }

    public var value: Value
    public var position: SourcePosition

    public init(_ value: Value, at position: SourcePosition = .start) {
        self.value = value
        self.position = position
    }

    public static let null = JSONNode(.null)
    public static func string(_ s: String) -> JSONNode { JSONNode(.string(s)) }
    public static func number(_ n: Int) -> JSONNode { JSONNode(.number(JSONNumber(n))) }
    public static func bool(_ b: Bool) -> JSONNode { JSONNode(.bool(b)) }
    public static func array(_ a: [JSONNode]) -> JSONNode { JSONNode(.array(a)) }
    public static func object(_ members: [(String, JSONNode)]) -> JSONNode {
        JSONNode(.object(JSONObject(members.map { JSONObject.Member(key: $0.0, value: $0.1) })))
    }

    /// A word for the JSON type, for messages: "object", "array", "string", "number", "boolean", "null".
    public var typeName: String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var stringValue: String? { if case .string(let s) = value { s } else { nil } }
    public var numberValue: JSONNumber? { if case .number(let n) = value { n } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = value { b } else { nil } }
    public var arrayValue: [JSONNode]? { if case .array(let a) = value { a } else { nil } }
    public var objectValue: JSONObject? { if case .object(let o) = value { o } else { nil } }
    public var isNull: Bool { if case .null = value { true } else { false } }

    /// Text of a scalar as written: strings as they are, numbers and booleans in JSON form; nil for
    /// null, arrays and objects. (Regex matchers test this text.)
    public var scalarText: String? {
        switch value {
        case .string(let s): s
        case .number(let n): n.text
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    public subscript(key: String) -> JSONNode? { objectValue?[key] }

    public var description: String { rendered() }
}

extension JSONNode: Equatable {
    public static func == (lhs: JSONNode, rhs: JSONNode) -> Bool {
        switch (lhs.value, rhs.value) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a.numericallyEquals(b)
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }
}

/// A JSON object that keeps its members in written order, with the position of each key.
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable {
        public var key: String
        public var keyPosition: SourcePosition
        public var value: JSONNode

        public init(key: String, keyPosition: SourcePosition = .start, value: JSONNode) {
            self.key = key
            self.keyPosition = keyPosition
            self.value = value
        }
    }

    public var members: [Member]

    public init(_ members: [Member] = []) { self.members = members }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// The value of the first member named `key`.
    public subscript(key: String) -> JSONNode? {
        members.first { $0.key == key }?.value
    }

    public func member(_ key: String) -> Member? { members.first { $0.key == key } }

    /// Order-insensitive comparison, as JSON objects mean.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        let index = Dictionary(rhs.members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        return lhs.members.allSatisfy { index[$0.key] == $0.value }
    }
}

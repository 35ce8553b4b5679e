/// An expected value: plain JSON where values must be equal, with matchers where the contract
/// wrote them inline (`{"$regex": "^A", "example": "Ada"}`).
///
/// A pattern always has an example: the value the mock sends (see `example`).
public indirect enum Pattern: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([Pattern])
    case object([PatternMember])
    case matcher(Matcher)

    /// Builds a pattern of plain values (no matchers) from JSON.
    public init(literal node: JSONNode) {
        switch node.value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(Pattern.init(literal:)))
        case .object(let o): self = .object(o.members.map { PatternMember(key: $0.key, pattern: Pattern(literal: $0.value)) })
        }
    }

    /// The string this pattern stands for when it is a plain string or a string-valued matcher.
    public var exampleString: String? {
        example.stringValue
    }

    /// True when some matcher in the pattern has a generator.
    public var hasGenerators: Bool {
        switch self {
        case .null, .bool, .number, .string: false
        case .array(let a): a.contains(where: \.hasGenerators)
        case .object(let o): o.contains { $0.pattern.hasGenerators }
        case .matcher(let m):
            m.generator != nil || {
                switch m.rule {
                case .type(let p), .eachLike(let p, _, _, _), .notEmpty(let p): p.hasGenerators
                default: false
                }
            }()
        }
    }

    /// True when the pattern holds no matcher anywhere.
    public var isLiteral: Bool {
        switch self {
        case .null, .bool, .number, .string: true
        case .array(let a): a.allSatisfy(\.isLiteral)
        case .object(let o): o.allSatisfy { $0.pattern.isLiteral }
        case .matcher: false
        }
    }
}

public struct PatternMember: Sendable {
    public var key: String
    public var pattern: Pattern

    public init(key: String, pattern: Pattern) {
        self.key = key
        self.pattern = pattern
    }
}

/// An inline matcher, where it was written, and the rule it applies.
public struct Matcher: Sendable {
    public var rule: MatchRule
    public var position: SourcePosition
    public var pointer: JSONPointer
    /// Makes the mock's value fresh per response; the rule still judges providers.
    public var generator: Generator?

    public init(rule: MatchRule, position: SourcePosition = .start, pointer: JSONPointer = .root, generator: Generator? = nil) {
        self.rule = rule
        self.position = position
        self.pointer = pointer
        self.generator = generator
    }
}

/// The rules a matcher can apply. Each carries the example the mock sends.
public enum MatchRule: Sendable {
    /// `$equals`: exactly this JSON (no matchers are read inside it).
    case equals(JSONNode)
    /// `$type`: same JSON types, recursively; nested matchers still apply.
    case type(Pattern)
    /// `$regex`: a string the whole of which matches.
    case regex(RegexPattern, example: String)
    /// `$integer`: a number written without fraction or exponent.
    case integer(example: JSONNumber)
    /// `$decimal`: a number written with a fraction or exponent.
    case decimal(example: JSONNumber)
    /// `$number`: any number.
    case number(example: JSONNumber)
    /// `$boolean`: true or false.
    case boolean(example: Bool)
    /// `$string`: any string.
    case string(example: String)
    /// `$null`: null.
    case null
    /// `$date`, `$time`, `$datetime`: a string in a date/time format.
    case dateTime(DateTimeKind, format: String?, example: String)
    /// `$eachLike`: an array whose every element matches the template, with a size range.
    case eachLike(Pattern, min: Int, max: Int?, examples: Int)
    /// `$include`: a string containing this text.
    case include(String)
    /// `$type` with `min`/`max`: an array (or object, string) whose size lies in the range.
    case size(min: Int?, max: Int?)
    /// `$eachKey`: every key of an object satisfies the string pattern; `example` is sent.
    case eachKey(Pattern, example: JSONNode)
    /// `$eachValue`: every value of an object (or element of an array) matches the template by type.
    case eachValue(Pattern, example: JSONNode)
    /// `$values`: an object whose keys are free; each value matches the template of the same key,
    /// or the first template.
    case values([PatternMember])
    /// `$arrayContains`: an array with, for each variant, at least one element that matches it.
    case arrayContains([Pattern])
    /// `$semver`: a semantic version string (`1.2.3`, `2.0.0-rc.1+build.5`).
    case semver(example: String)
    /// `$notEmpty`: a non-empty string, array or object of the example's type.
    case notEmpty(Pattern)
    /// An XML element with `min`…`max` child elements (Pact's min/max on an element path).
    case childCount(min: Int, max: Int?)
    /// `$and`: every rule applies (Pact's `"combine": "AND"`); the last rule's example is sent.
    case allOf([MatchRule])
    /// `$or`: at least one rule applies (Pact's `"combine": "OR"`); the last rule's example is sent.
    case anyOf([MatchRule])
    /// `$integer` or `$number` (the `written` rule) on a 64-bit protobuf field: proto3 JSON writes
    /// int64, uint64, sint64, fixed64 and sfixed64 as strings, so the loader puts this in its place
    /// in a gRPC message's pattern. It accepts a decimal integer in the field's range, as a string
    /// (the form decoded messages have) or a number (the form the contract's example has).
    indirect case integer64(written: MatchRule, unsigned: Bool)
}

public enum DateTimeKind: String, Sendable, CaseIterable {
    case date, time, datetime

    /// The default format, when the contract gives none (Java/Unicode date pattern letters).
    public var defaultFormat: String {
        switch self {
        case .date: "yyyy-MM-dd"
        case .time: "HH:mm:ss"
        case .datetime: "yyyy-MM-dd'T'HH:mm:ssXXX"
        }
    }
}

/// A regular expression as written, compiled once when the contract loads.
public struct RegexPattern: Sendable {
    public var source: String { compiled.source }
    public let compiled: CompiledRegex

    /// - Throws: `TreatyError` when `source` is not a valid regular expression.
    public init(_ source: String) throws(TreatyError) {
        compiled = try CompiledRegex(source)
    }
}

/// A JSON number as it was written: `1`, `1.0` and `1e2` stay distinguishable.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The literal text, exactly as in the source.
    public let text: String

    public init(text: String) { self.text = text }
    public init(_ value: Int) { self.text = String(value) }
    public init(_ value: Double) {
        if value.rounded() == value, abs(value) < 1e15 {
            self.text = String(Int(value)) + ".0"
        } else {
            self.text = String(value)
        }
    }

    /// Written without a fraction or exponent (`42`, `-7`).
    public var isInteger: Bool { !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) }

    /// Written with a fraction or an exponent (`4.2`, `1e2`).
    public var isDecimal: Bool { !isInteger }

    public var doubleValue: Double { Double(text) ?? .nan }

    public var intValue: Int? { isInteger ? Int(text) : nil }

    /// Equality of the values written, exactly and of any size: `1` equals `1.0`, `1e2` and `100`,
    /// and `-0` equals `0`; `1234567890123456789` does not equal `…788`, nor `1e400` `2e400`, as
    /// they did when both sides went through `Double`. (Whether a number is written as an integer
    /// is `$integer`'s and `$decimal`'s business, not equality's.)
    public func numericallyEquals(_ other: JSONNumber) -> Bool {
        if text == other.text { return true }
        guard let a = DecimalValue(text), let b = DecimalValue(other.text) else { return false }
        return a == b
    }

    public var description: String { text }
}

/// The exact value of a JSON number's text: `±digits × 10^exponent` with the digits free of leading
/// and trailing zeros, so that two texts are equal numbers exactly when their values are equal.
/// The exponent is kept as decimal digits too, so `1e99999999999999999999` is no trouble.
struct DecimalValue: Equatable {
    var negative: Bool
    /// The significant digits (ASCII), without leading or trailing zeros; empty for zero.
    var digits: [UInt8]
    var exponent: BigInteger

    /// Nil when `text` is not a JSON number.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        var i = 0
        negative = i < bytes.count && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: [UInt8] = []
        var fractionDigits = 0
        while i < bytes.count, bytes[i].isDigit { mantissa.append(bytes[i]); i += 1 }
        guard !mantissa.isEmpty else { return nil }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < bytes.count, bytes[i].isDigit { mantissa.append(bytes[i]); i += 1 }
            fractionDigits = i - start
            guard fractionDigits > 0 else { return nil }
        }
        var written = BigInteger.zero
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let start = i
            while i < bytes.count, bytes[i].isDigit { i += 1 }
            guard i > start else { return nil }
            written = BigInteger(negative: exponentNegative, digits: Array(bytes[start..<i]))
        }
        guard i == bytes.count else { return nil }
        let leading = mantissa.prefix { $0 == UInt8(ascii: "0") }.count
        mantissa.removeFirst(leading)
        let trailing = mantissa.reversed().prefix { $0 == UInt8(ascii: "0") }.count
        mantissa.removeLast(trailing)
        digits = mantissa
        if digits.isEmpty {
            negative = false
            exponent = .zero
        } else {
            exponent = written.adding(trailing - fractionDigits)
        }
    }
}

/// A signed integer of any size in decimal digits, enough for adding a small offset to an exponent.
struct BigInteger: Equatable {
    var negative: Bool
    /// Most significant first, no leading zeros; empty for zero.
    var digits: [UInt8]

    static let zero = BigInteger(negative: false, digits: [])

    init(negative: Bool, digits: [UInt8]) {
        let trimmed = Array(digits.drop { $0 == UInt8(ascii: "0") })
        self.digits = trimmed
        self.negative = negative && !trimmed.isEmpty
    }

    init(_ value: Int) {
        self.init(negative: value < 0, digits: Array(String(value.magnitude).utf8))
    }

    func adding(_ offset: Int) -> BigInteger {
        let other = BigInteger(offset)
        if other.digits.isEmpty { return self }
        if negative == other.negative {
            return BigInteger(negative: negative, digits: Self.add(digits, other.digits))
        }
        // Opposite signs: the larger magnitude minus the smaller, with the larger's sign.
        if Self.compare(digits, other.digits) >= 0 {
            return BigInteger(negative: negative, digits: Self.subtract(digits, other.digits))
        }
        return BigInteger(negative: other.negative, digits: Self.subtract(other.digits, digits))
    }

    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return 0
    }

    static func add(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var carry = 0
        var i = a.count - 1, j = b.count - 1
        while i >= 0 || j >= 0 || carry > 0 {
            let sum = (i >= 0 ? Int(a[i] - 48) : 0) + (j >= 0 ? Int(b[j] - 48) : 0) + carry
            out.append(UInt8(sum % 10) + 48)
            carry = sum / 10
            i -= 1
            j -= 1
        }
        return out.reversed()
    }

    /// `a − b` for `a ≥ b`.
    static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var borrow = 0
        var j = b.count - 1
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            var d = Int(a[i] - 48) - borrow - (j >= 0 ? Int(b[j] - 48) : 0)
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 10 }
            out.append(UInt8(d) + 48)
            j -= 1
        }
        return out.reversed()
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}

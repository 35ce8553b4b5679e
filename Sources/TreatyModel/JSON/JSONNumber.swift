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

    /// Numeric equality: `1` equals `1.0`.
    public func numericallyEquals(_ other: JSONNumber) -> Bool {
        text == other.text || doubleValue == other.doubleValue
    }

    public var description: String { text }
}

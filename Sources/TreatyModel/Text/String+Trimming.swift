extension Substring {
    /// The text without leading and trailing whitespace.
    public func trimmingCharacters() -> String {
        var s = self
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension String {
    /// The text without leading and trailing whitespace.
    public var trimmedWhitespace: String { Substring(self).trimmingCharacters() }
}

import Foundation

/// A compiled regular expression (ICU syntax, as Pact uses), matched against the whole string.
///
/// "Whole" means every character: the pattern is wrapped in `\A(?:…)\z`, not `^(?:…)$`, because
/// ICU's `$` also matches before a final line terminator, so `^abc$` would accept `"abc\n"` and a
/// path pattern would accept `/orders/42%0A`.
public final class CompiledRegex: @unchecked Sendable {
    // NSRegularExpression is immutable and documented as safe to share between threads.
    private let whole: NSRegularExpression
    private let original: NSRegularExpression
    public let source: String

    /// - Throws: `TreatyError` with code `.invalidContract` and the engine's reason when `source` is not a valid regex.
    public init(_ source: String) throws(TreatyError) {
        self.source = source
        do {
            original = try NSRegularExpression(pattern: source)
            whole = try NSRegularExpression(pattern: "\\A(?:" + source + ")\\z")
        } catch {
            throw TreatyError(code: .invalidContract, message: "invalid regular expression /\(source)/",
                              cause: Self.reason(source))
        }
    }

    /// Why `source` does not compile, in the words of Swift's regex parser when it has some
    /// (ICU, which does the matching, gives no reason on Linux).
    static func reason(_ source: String) -> String {
        do {
            _ = try Regex(source)
        } catch {
            let text = "\(error)"
            if !text.isEmpty { return text }
        }
        return "the pattern does not compile"
    }

    /// True when the whole of `string` matches.
    public func matchesWhole(_ string: String) -> Bool {
        let range = NSRange(string.startIndex..<string.endIndex, in: string)
        return whole.firstMatch(in: string, options: [], range: range) != nil
    }

    /// True when some part of `string` matches.
    public func matchesPart(_ string: String) -> Bool {
        let range = NSRange(string.startIndex..<string.endIndex, in: string)
        return original.firstMatch(in: string, options: [], range: range) != nil
    }
}

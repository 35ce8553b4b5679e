import Foundation
import Testing
import TreatyTestSupport
@testable import TreatyMatching
@testable import TreatyModel

/// Whole-string regexes, exact numbers, the last of duplicate keys, and generators that contracts
/// cannot make trap: the matcher judges what was sent, all of it, exactly.
@Suite struct ExactMatchingTests {
    let response = ValueMatcher(allowUnexpectedKeys: true)

    @Test(arguments: [
        // source, text, matches
        ("abc", "abc", true),
        ("abc", "abc\n", false),
        ("^abc$", "abc\n", false),
        ("^abc$", "abc\r\n", false),
        ("abc", "abc\u{2028}", false),
        (#"^/orders/\d+$"#, "/orders/42\n", false),
        (#"\d+"#, "42\r", false),
        ("abc\\n", "abc\n", true),
        ("(?s)abc.*", "abc\n", true),
        ("(?m)^abc$", "abc\nabc", false),
        ("(?m)^abc$\\n^abc$", "abc\nabc", true),
        ("a|ab", "ab", true),
    ])
    func regexesMatchTheWholeString(source: String, text: String, matches: Bool) throws {
        let regex = try RegexPattern(source)
        #expect(regex.compiled.matchesWhole(text) == matches)
        let rule = Pattern.matcher(Matcher(rule: .regex(regex, example: text)))
        #expect(response.match(rule, .string(text)).isEmpty == matches)
    }

    @Test func aPathPatternRefusesAnEncodedNewline() throws {
        let c = try contract(#"{"name": "o", "http": {"request": {"path": {"$regex": "^/orders/\\d+$", "example": "/orders/1"}}, "response": {}}}"#)
        let spec = try #require(c.interactions[0].http?.request)
        #expect(RequestMatcher.match(HTTPRequestData(method: "GET", target: "/orders/42"), spec).isEmpty)
        #expect(RequestMatcher.match(HTTPRequestData(method: "GET", target: "/orders/42%0A"), spec).map(\.path) == ["$.path"])
        #expect(RequestMatcher.match(HTTPRequestData(method: "GET", target: "/orders/42%0D%0A"), spec).map(\.path) == ["$.path"])
    }

    @Test(arguments: [
        // expected, actual, equal
        ("1234567890123456789", "1234567890123456788", false),
        ("1234567890123456789", "1234567890123456789", true),
        ("123456789012345678901234567890", "123456789012345678901234567891", false),
        ("9007199254740993", "9007199254740992", false),
        ("1e400", "2e400", false),
        ("1e400", "10e399", true),
        ("-1e400", "1e400", false),
        ("1e-400", "2e-400", false),
        ("1", "1.0", true),
        ("1", "1e0", true),
        ("100", "1E+2", true),
        ("100", "1e2", true),
        ("12.5", "12.50", true),
        ("0.1", "1e-1", true),
        ("0.1", "0.10000000000000001", false),
        ("0", "-0", true),
        ("0", "0.0e5", true),
        ("1", "-1", false),
        ("1e99999999999999999999", "10e99999999999999999998", true),
        ("1e99999999999999999999", "1e99999999999999999998", false),
        ("1e-99999999999999999999", "0.1e-99999999999999999998", true),
    ])
    func numbersCompareByExactValue(expected: String, actual: String, equal: Bool) throws {
        #expect(response.match(.number(JSONNumber(text: expected)), try json(actual)).isEmpty == equal)
        #expect(response.match(.number(JSONNumber(text: actual)), try json(expected)).isEmpty == equal)
        #expect((try json(expected) == json(actual)) == equal, "$equals compares the same way")
    }

    @Test func integerAndDecimalStillReadTheWrittenForm() throws {
        #expect(response.match(try pattern(#"{"$integer": 1}"#), try json("1234567890123456789012")).isEmpty)
        #expect(!response.match(try pattern(#"{"$integer": 1}"#), try json("1.0")).isEmpty)
        #expect(response.match(try pattern(#"{"$decimal": 1.5}"#), try json("1e400")).isEmpty)
    }

    @Test(arguments: [
        // body, pattern, matches: the later of two equal keys is the one that counts
        (#"{"kind": "a", "kind": "b"}"#, #"{"kind": "b"}"#, true),
        (#"{"kind": "a", "kind": "b"}"#, #"{"kind": "a"}"#, false),
        (#"{"n": {"x": 1}, "n": {"x": 2}}"#, #"{"n": {"x": 2}}"#, true),
        (#"{"a": 1, "b": 2, "a": 3}"#, #"{"a": 3, "b": 2}"#, true),
    ])
    func theLastOfDuplicateKeysWins(body: String, expected: String, matches: Bool) throws {
        let request = ValueMatcher(allowUnexpectedKeys: false)
        #expect(request.match(try pattern(expected), try json(body)).isEmpty == matches)
        let spec = try #require(try contract(#"{"name": "p", "http": {"request": {"method": "POST", "path": "/", "body": \#(expected)}, "response": {}}}"#).interactions[0].http?.request)
        let sent = HTTPRequestData(method: "POST", target: "/", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        #expect(RequestMatcher.match(sent, spec).isEmpty == matches)
    }

    @Test(arguments: [
        #"a{-5}"#, #"a{-1,2}"#, #"a{9223372036854775807,}"#, #"a{2,9223372036854775807}"#, #"a{99999999999999999999}"#,
        #"((a{1000}){1000}){1000}"#, #"(((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))"#,
    ])
    func theRegexGeneratorGivesUpOnCountsItCannotMake(source: String) {
        var generator = RegexGenerator()
        let made = generator.generate(source)
        #expect(made == nil)
    }

    @Test func theRegexGeneratorStillMakesWhatFits() throws {
        var generator = RegexGenerator()
        let made = generator.generate("(a{10}){100}")
        #expect(made == String(repeating: "a", count: 1000))
        let more = generator.generate(#"x{0}y{1000}"#)
        #expect(more == String(repeating: "y", count: 1000))
    }

    @Test(arguments: [
        // "min"/"max"/"examples" leading to a repeated example larger than the bound
        (#"{"$eachLike": {"$eachLike": {"$eachLike": 1, "min": 1000000}, "min": 1000000}, "min": 1000000}"#, "/body/$eachLike"),
        (#"{"$eachLike": {"$eachLike": 1, "examples": 10000}, "examples": 10000}"#, "/body"),
        (#"{"$eachLike": {"$equals": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, "min": 1000000}"#, "/body"),
    ])
    func repeatedExamplesAreBoundedWithALocatedError(body: String, pointer: String) {
        let text = #"{"treaty": 1, "consumer": "a", "provider": "b", "interactions": [{"name": "n", "http": {"request": {"path": "/"}, "response": {"body": \#(body)}}}]}"#
        let result = ContractLoader().load(Array(text.utf8), file: "t.json")
        #expect(result.contract == nil)
        let error = result.diagnostics.first { $0.severity == .error }
        #expect(error?.message.contains("more than 10000000 values") == true, "\(result.diagnostics)")
        #expect(error?.pointer?.description.hasSuffix(pointer) == true, "\(String(describing: error?.pointer))")
        #expect(error?.position != nil)
    }

    @Test func aLargeButBoundedEachLikeStillLoadsAndRenders() throws {
        let p = try pattern(#"{"$eachLike": {"$eachLike": 1, "examples": 1000}, "examples": 1000}"#)
        #expect(p.exampleValueCount == 1_001_001)
        #expect(p.example.arrayValue?.count == 1000)
    }

    @Test(arguments: ["+9999999999999999d", "-9223372036854775807s", "+99999999999999h", "+36601d", "+36600d1s"])
    func nowOffsetsBeyondAHundredYearsAreRefused(offset: String) {
        #expect(TreatyModel.Duration.offsetSeconds(offset) == nil)
        if case .failure(let problem) = Generator.parse(.object([("now", .string(offset))])) {
            #expect(problem.message.contains("at most 100 years"))
        } else {
            Issue.record("\(offset) was taken")
        }
    }

    @Test func nowOffsetsWithinAHundredYearsStillWork() {
        #expect(TreatyModel.Duration.offsetSeconds("+36600d") == 36_600 * 86_400)
        #expect(TreatyModel.Duration.offsetSeconds("-1d2h") == -(86_400 + 7_200))
    }
}

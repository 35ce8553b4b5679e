import Testing
@testable import TreatyModel

@Suite struct JSONParserTests {
    @Test func keepsPositionsOfEveryValue() throws {
        let text = "{\n  \"a\": [1, {\"b\": null}],\n  \"ü\": \"x\"\n}"
        let root = try JSONParser.parse(text).root
        #expect(root.position == SourcePosition(line: 1, column: 1))
        let a = try #require(root["a"])
        #expect(a.position == SourcePosition(line: 2, column: 8))
        #expect(a.arrayValue?[1]["b"]?.position == SourcePosition(line: 2, column: 18))
        let member = try #require(root.objectValue?.member("ü"))
        #expect(member.keyPosition == SourcePosition(line: 3, column: 3))
        // Columns count characters, not bytes: "ü" is two bytes but one column.
        #expect(member.value.position == SourcePosition(line: 3, column: 8))
    }

    @Test(arguments: [("1", true), ("1.0", false), ("1e2", false), ("-0", true), ("1E-2", false), ("12345678901234567890", true)])
    func numbersKeepTheirWrittenForm(text: String, isInteger: Bool) throws {
        let number = try #require(try JSONParser.parse(text).root.numberValue)
        #expect(number.text == text)
        #expect(number.isInteger == isInteger)
    }

    @Test func oneAndOnePointZeroAreEqualButDistinguishable() throws {
        let one = try JSONParser.parse("1").root
        let onePointZero = try JSONParser.parse("1.0").root
        #expect(one == onePointZero)
        #expect(one.numberValue?.isInteger == true)
        #expect(onePointZero.numberValue?.isInteger == false)
    }

    @Test func acceptsALeadingByteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\"a\": 1}".utf8)
        let root = try JSONParser.parse(bytes).root
        #expect(root["a"]?.numberValue?.text == "1")
        #expect(root.position == SourcePosition(line: 1, column: 1))
    }

    @Test func reportsDuplicateKeysWithThePositionOfTheSecond() throws {
        let document = try JSONParser.parse("{\"x\": {\"k\": 1,\n \"k\": 2}}")
        #expect(document.duplicateKeys.count == 1)
        #expect(document.duplicateKeys.first?.key == "k")
        #expect(document.duplicateKeys.first?.position == SourcePosition(line: 2, column: 2))
        #expect(document.duplicateKeys.first?.pointer.description == "/x/k")
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let root = try JSONParser.parse(#""a\n\"\\\/\u00e9\ud83d\ude00\ud800x""#).root
        #expect(root.stringValue == "a\n\"\\/é😀\u{FFFD}x")
    }

    @Test(arguments: [
        ("", "1:1", "empty"),
        ("{", "1:2", "end of input"),
        ("{\"a\" 1}", "1:6", "expected ':'"),
        ("[1,]", "1:4", "trailing comma"),
        ("{\"a\":1,}", "1:8", "trailing comma"),
        ("01", "1:2", "leading zeros"),
        ("1.", "1:3", "digit after '.'"),
        ("tru", "1:1", "invalid literal"),
        ("\"abc", "1:1", "unterminated string"),
        ("\"a\u{01}\"", "1:3", "control character"),
        ("\"\\x\"", "1:3", "invalid escape"),
        ("{'a': 1}", "1:2", "double quotes"),
        ("[1] x", "1:5", "after the end"),
        ("{\n  \"a\": [1,\n  2,, 3]\n}", "3:5", "expected a value"),
    ])
    func syntaxErrorsSayWhereAndWhat(text: String, position: String, fragment: String) {
        #expect {
            _ = try JSONParser.parse(text)
        } throws: { error in
            guard let error = error as? JSONParser.SyntaxError else { return false }
            return error.position.description == position && error.message.contains(fragment)
        }
    }

    @Test func rejectsInvalidUTF8InStrings() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(bytes) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect {
            _ = try JSONParser.parse(deep)
        } throws: { error in
            (error as? JSONParser.SyntaxError)?.message.contains("nesting deeper than") ?? false
        }
    }

    @Test func garbageBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<64, using: &generator)
            let alphabet = Array("{}[],:\"\\ -01e.tfnul\u{7F}\n".utf8) + [0xFF, 0xC3]
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? JSONParser.parse(bytes)
        }
    }

    @Test func renderingRoundTrips() throws {
        let text = #"{"a":[1,1.50,1e2,true,false,null],"b":"x\"y\n\u0001","c":{}}"#
        let root = try JSONParser.parse(text).root
        #expect(root.rendered() == #"{"a":[1,1.50,1e2,true,false,null],"b":"x\"y\n\u0001","c":{}}"#)
        #expect(try JSONParser.parse(root.rendered(pretty: true)).root == root)
    }
}

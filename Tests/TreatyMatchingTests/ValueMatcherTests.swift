import Testing
import TreatyTestSupport
@testable import TreatyMatching
@testable import TreatyModel

/// Loads a pattern from contract syntax, the way a contract body is read.
func pattern(_ json: String) throws -> Pattern {
    let contract = """
        {"treaty": 1, "consumer": "a", "provider": "b", "interactions": [
          {"name": "n", "http": {"request": {"path": "/"}, "response": {"body": \(json), "headers": {"Content-Type": "application/json"}}}}]}
        """
    let result = ContractLoader().load(Array(contract.utf8), file: "t.json")
    guard case .json(let p)? = result.contract?.interactions.first?.http?.response.body else {
        throw TreatyError(code: .invalidContract, message: "\(result.diagnostics)")
    }
    return p
}

func json(_ text: String) throws -> JSONNode { try JSONParser.parse(text).root }

@Suite struct ValueMatcherTests {
    let response = ValueMatcher(allowUnexpectedKeys: true)
    let request = ValueMatcher(allowUnexpectedKeys: false)

    @Test(arguments: [
        // pattern, actual, matches
        (#"{"a": 1}"#, #"{"a": 1.0}"#, true),
        (#"{"a": 1}"#, #"{"a": 2}"#, false),
        (#"{"a": 1}"#, #"{"a": 1, "b": 2}"#, true),
        (#"{"a": "x"}"#, #"{"a": null}"#, false),
        (#"[1, 2]"#, #"[1, 2, 3]"#, false),
        (#"[1, 2]"#, #"[2, 1]"#, false),
        (#"{"$equals": {"$regex": "x"}}"#, #"{"$regex": "x"}"#, true),
        (#"{"$type": {"n": 1, "s": "x", "l": [1]}}"#, #"{"n": 99, "s": "other", "l": [5, 6, 7]}"#, true),
        (#"{"$type": {"n": 1}}"#, #"{"n": "1"}"#, false),
        (#"{"$regex": "^[A-Z]{3}-\\d+$", "example": "ABC-1"}"#, #""XYZ-42""#, true),
        (#"{"$regex": "^[A-Z]{3}-\\d+$", "example": "ABC-1"}"#, #""XYZ-42 ""#, false),
        (#"{"$regex": "a|ab", "example": "a"}"#, #""ab""#, true),
        (#"{"$regex": "b", "example": "b"}"#, #""abc""#, false),
        (#"{"$integer": 1}"#, "42", true),
        (#"{"$integer": 1}"#, "42.0", false),
        (#"{"$decimal": 1.5}"#, "2.25", true),
        (#"{"$decimal": 1.5}"#, "2", false),
        (#"{"$number": 1}"#, "2e3", true),
        (#"{"$number": 1}"#, #""2""#, false),
        (#"{"$boolean": true}"#, "false", true),
        (#"{"$boolean": true}"#, "0", false),
        (#"{"$string": "x"}"#, #""""#, true),
        (#"{"$string": "x"}"#, "1", false),
        (#"{"$null": null}"#, "null", true),
        (#"{"$null": null}"#, "0", false),
        (#"{"$date": "2024-02-29"}"#, #""2025-12-31""#, true),
        (#"{"$date": "2024-02-29"}"#, #""2025-13-31""#, false),
        (#"{"$date": "29.02.2024", "format": "dd.MM.yyyy"}"#, #""01.03.2025""#, true),
        (#"{"$date": "29.02.2024", "format": "dd.MM.yyyy"}"#, #""2025-03-01""#, false),
        (#"{"$time": "10:15:00"}"#, #""23:59:59""#, true),
        (#"{"$time": "10:15:00"}"#, #""25:00:00""#, false),
        (#"{"$datetime": "2026-01-01T10:00:00Z"}"#, #""2026-06-30T23:59:59.123+02:00""#, true),
        (#"{"$datetime": "2026-01-01T10:00:00Z"}"#, #""yesterday""#, false),
        (#"{"$eachLike": {"id": 1}, "min": 2}"#, #"[{"id": 5}, {"id": 6}]"#, true),
        (#"{"$eachLike": {"id": 1}, "min": 2}"#, #"[{"id": 5}]"#, false),
        (#"{"$eachLike": {"id": 1}, "max": 1}"#, #"[{"id": 5}, {"id": 6}]"#, false),
        (#"{"$eachLike": {"id": 1}}"#, #"[{"id": "5"}]"#, false),
        (#"{"$eachLike": 1, "min": 0}"#, "[]", true),
        (#"{"$include": "needle"}"#, #""haystack with needle inside""#, true),
        (#"{"$include": "needle"}"#, #""haystack""#, false),
        (#"{"$type": [1], "min": 2, "max": 3}"#, "[5, 6]", true),
        (#"{"$type": [1], "min": 2, "max": 3}"#, "[5]", false),
        (#"{"$type": [1], "min": 2, "max": 3}"#, #"[5, 6, "7"]"#, false),
        (#"{"$eachKey": {"$regex": "^[a-z]+$", "example": "ab"}, "example": {"ab": 1}}"#, #"{"x": 1, "yz": "q"}"#, true),
        (#"{"$eachKey": {"$regex": "^[a-z]+$", "example": "ab"}, "example": {"ab": 1}}"#, #"{"x": 1, "Y1": 2}"#, false),
        (#"{"$eachValue": {"id": 1}, "example": {"a": {"id": 1}}}"#, #"{"p": {"id": 2}, "q": {"id": 3}}"#, true),
        (#"{"$eachValue": {"id": 1}, "example": {"a": {"id": 1}}}"#, #"{"p": {"id": "2"}}"#, false),
        (#"{"$values": {"any": {"n": 1}}}"#, #"{"k1": {"n": 5}, "k2": {"n": 6}}"#, true),
        (#"{"$values": {"any": {"n": 1}}}"#, #"{"k1": {"n": true}}"#, false),
        (#"{"$arrayContains": [{"type": "a"}, {"id": {"$integer": 1}}]}"#, #"[{"id": 7}, {"x": 1}, {"type": "a"}]"#, true),
        (#"{"$arrayContains": [{"type": "a"}, {"id": {"$integer": 1}}]}"#, #"[{"id": 7}, {"type": "b"}]"#, false),
        (#"{"$semver": "1.2.3"}"#, #""10.20.30-rc.1+build.5""#, true),
        (#"{"$semver": "1.2.3"}"#, #""1.02.3""#, false),
        (#"{"$semver": "1.2.3"}"#, #""1.2""#, false),
        (#"{"$notEmpty": "x"}"#, #""abc""#, true),
        (#"{"$notEmpty": "x"}"#, #""""#, false),
        (#"{"$notEmpty": [1]}"#, "[]", false),
        (#"{"$or": [{"$integer": 1}, {"$regex": "^n/a$", "example": "n/a"}]}"#, #""n/a""#, true),
        (#"{"$or": [{"$integer": 1}, {"$regex": "^n/a$", "example": "n/a"}]}"#, #""none""#, false),
        (#"{"$and": [{"$string": "ab"}, {"$include": "b"}]}"#, #""abc""#, true),
        (#"{"$and": [{"$string": "ab"}, {"$include": "b"}]}"#, #""ac""#, false),
    ])
    func matchersAgreeWithTheirMeaning(patternText: String, actualText: String, matches: Bool) throws {
        let mismatches = response.match(try pattern(patternText), try json(actualText))
        #expect(mismatches.isEmpty == matches, "\(mismatches)")
    }

    @Test func requestBodiesRejectUnexpectedKeysResponsesAllowThem() throws {
        let p = try pattern(#"{"a": 1}"#)
        let actual = try json(#"{"a": 1, "extra": true}"#)
        #expect(response.match(p, actual).isEmpty)
        let mismatches = request.match(p, actual, at: "$.body")
        #expect(mismatches.map(\.path) == ["$.body.extra"])
        #expect(mismatches.first?.rule == "unexpected")
    }

    @Test func mismatchesNameThePathRuleExpectedAndActual() throws {
        let p = try pattern(#"{"items": {"$eachLike": {"sku": {"$regex": "^[A-Z]+$", "example": "AB"}}}, "n": 1}"#)
        let mismatches = response.match(p, try json(#"{"items": [{"sku": "AB"}, {"sku": "x y"}], "n": "1"}"#), at: "$.body")
        #expect(mismatches.count == 2)
        #expect(mismatches[0].path == "$.body.items[1].sku")
        #expect(mismatches[0].rule == "$regex")
        #expect(mismatches[0].expected == "/^[A-Z]+$/")
        #expect(mismatches[0].actual == "\"x y\"")
        #expect(mismatches[1].path == "$.body.n")
        #expect(mismatches[1].message == "expected a number, got string")
    }

    @Test func missingKeysAreReportedWithTheExpectedExample() throws {
        let mismatches = response.match(try pattern(#"{"odd key": {"$integer": 7}}"#), try json("{}"), at: "$.body")
        #expect(mismatches == [Mismatch(path: "$.body['odd key']", expected: "7", actual: "(missing)", rule: "missing",
                                         message: "missing key \"odd key\"")])
    }

    @Test func examplesSatisfyTheirOwnMatchers() throws {
        for text in [#"{"$date": "2024-02-29"}"#, #"{"$eachLike": {"a": {"$integer": 1}}, "min": 3}"#, #"{"$type": [1, "x"]}"#] {
            let p = try pattern(text)
            #expect(response.match(p, p.example).isEmpty)
        }
    }
}

import Testing
import TreatyTestSupport
@testable import TreatyMatching
@testable import TreatyModel

@Suite struct BodyFormatTests {
    @Test func formFieldsMatchLikeQueryParameters() throws {
        let c = try contract(#"{"name": "f", "http": {"request": {"method": "POST", "path": "/", "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": {"stars": {"$regex": "^[1-5]$", "example": "5"}, "tag": ["a b", "c"]}}, "response": {}}}"#)
        let spec = try #require(c.interactions[0].http?.request)
        guard case .form? = spec.body else { Issue.record("not a form body"); return }
        #expect(String(decoding: spec.body!.exampleBytes, as: UTF8.self) == "stars=5&tag=a+b&tag=c")
        func request(_ body: String) -> HTTPRequestData {
            HTTPRequestData(method: "POST", target: "/", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
        }
        #expect(RequestMatcher.match(request("tag=a%20b&stars=3&tag=c"), spec).isEmpty)
        #expect(RequestMatcher.match(request("stars=7&tag=a+b&tag=c&extra=1"), spec).map(\.path) == ["$.body.stars", "$.body.extra"])
    }

    @Test func multipartPartsAreFoundByName() throws {
        let c = try contract(#"{"name": "m", "http": {"request": {"method": "POST", "path": "/", "multipart": [{"name": "meta", "contentType": "application/json", "body": {"alt": {"$string": "x"}}}, {"name": "note", "body": "hello"}]}, "response": {}}}"#)
        let spec = try #require(c.interactions[0].http?.request)
        let body = spec.body!.exampleBytes
        let contentType = spec.body!.defaultContentType
        #expect(RequestMatcher.match(HTTPRequestData(method: "POST", target: "/", headers: [("Content-Type", contentType)], body: body), spec).isEmpty)
        let other = MultipartPart.encode([MultipartPart(name: "meta", contentType: "text/plain", body: .text(.string("{}")))], boundary: "b0")
        let mismatches = RequestMatcher.match(
            HTTPRequestData(method: "POST", target: "/", headers: [("Content-Type", "multipart/form-data; boundary=b0")], body: other), spec)
        #expect(mismatches.map(\.path) == ["$.body.meta.contentType", "$.body.meta.alt", "$.body.note"])
        let noBoundary = RequestMatcher.match(HTTPRequestData(method: "POST", target: "/", headers: [("Content-Type", "multipart/form-data")], body: other), spec)
        #expect(noBoundary.first?.message.hasPrefix("expected a multipart body with a boundary") == true)
    }

    @Test(arguments: [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0] as [UInt8], "image/png"),
        ([0xFF, 0xD8, 0xFF, 0xE0], "image/jpeg"),
        (Array("%PDF-1.7".utf8), "application/pdf"),
        (Array(#"{"a": 1}"#.utf8), "application/json"),
        (Array("<?xml version=\"1.0\"?><a/>".utf8), "application/xml"),
        (Array("plain words".utf8), "text/plain"),
        ([0x00, 0x01, 0x02], "application/octet-stream"),
    ])
    func contentIsSniffedFromItsFirstBytes(bytes: [UInt8], type: String) {
        #expect(ContentSniffer.mediaType(of: bytes) == type)
        #expect(ContentSniffer.matches(bytes, expected: type))
    }
}

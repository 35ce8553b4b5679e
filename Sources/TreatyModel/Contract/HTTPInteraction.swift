/// An HTTP request and the response it gets.
public struct HTTPInteraction: Sendable {
    public var request: HTTPRequestSpec
    /// The response (the first of `sequence` when there is one).
    public var response: HTTPResponseSpec
    /// Responses given in turn, call after call.
    public var sequence: ResponseSequence?

    public init(request: HTTPRequestSpec, response: HTTPResponseSpec, sequence: ResponseSequence? = nil) {
        self.request = request
        self.response = response
        self.sequence = sequence
    }
}

/// What the consumer sends.
public struct HTTPRequestSpec: Sendable {
    /// Upper-case method name.
    public var method: String
    /// A string pattern: literal path or a string matcher such as `$regex`.
    public var path: Pattern
    /// Query parameters in written order; each may repeat.
    public var query: [HeaderSpec]
    public var headers: [HeaderSpec]
    public var body: BodySpec?

    public init(method: String, path: Pattern, query: [HeaderSpec] = [], headers: [HeaderSpec] = [], body: BodySpec? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// What the provider answers.
public struct HTTPResponseSpec: Sendable {
    /// The status the mock sends (and, without `statusRule`, the one the provider must send).
    public var status: Int
    /// Statuses the provider may send instead of exactly `status`.
    public var statusRule: StatusRule?
    public var headers: [HeaderSpec]
    public var body: BodySpec?

    public init(status: Int, statusRule: StatusRule? = nil, headers: [HeaderSpec] = [], body: BodySpec? = nil) {
        self.status = status
        self.statusRule = statusRule
        self.headers = headers
        self.body = body
    }
}

/// A named value (header or query parameter) with one or more expected values.
public struct HeaderSpec: Sendable {
    public var name: String
    /// Each a string pattern; several values mean the name is repeated (or comma-joined for headers).
    public var values: [Pattern]

    public init(name: String, values: [Pattern]) {
        self.name = name
        self.values = values
    }

    public init(_ name: String, _ value: String) {
        self.init(name: name, values: [.string(value)])
    }
}

/// An expected body.
public enum BodySpec: Sendable {
    /// A JSON document, with matchers.
    case json(Pattern)
    /// Text compared with a string pattern (plain text or a string matcher).
    case text(Pattern)
    /// Exact bytes (from a `bodyFile` that is not JSON).
    case bytes([UInt8])
    /// An XML document in its JSON shape (see `XMLBody`), with matchers; `source` is what the mock sends.
    case xml(Pattern, source: [UInt8])
    /// `application/x-www-form-urlencoded` fields, each a string pattern.
    case form([HeaderSpec])
    /// `multipart/form-data` parts, found by name.
    case multipart([MultipartPart])
    /// Any body whose content, sniffed from its first bytes, is of this media type (`image/png`);
    /// `example` is what the mock sends.
    case contentType(String, example: [UInt8])

    /// The bytes the mock (or the verifier, for requests) sends.
    public var exampleBytes: [UInt8] {
        switch self {
        case .json(let pattern): pattern.example.renderedBytes()
        case .text(let pattern): Array((pattern.example.stringValue ?? pattern.example.rendered()).utf8)
        case .bytes(let bytes): bytes
        case .xml(_, let source): source
        case .form(let fields):
            Array(fields.flatMap { field in
                field.values.map { FormEncoding.encode(field.name) + "=" + FormEncoding.encode($0.example.stringValue ?? $0.example.rendered()) }
            }.joined(separator: "&").utf8)
        case .multipart(let parts): MultipartPart.encode(parts, boundary: MultipartPart.boundary)
        case .contentType(_, let example): example
        }
    }

    /// The content type to send when the contract names none.
    public var defaultContentType: String {
        switch self {
        case .json: "application/json"
        case .text: "text/plain; charset=utf-8"
        case .bytes: "application/octet-stream"
        case .xml: "application/xml"
        case .form: "application/x-www-form-urlencoded"
        case .multipart: "multipart/form-data; boundary=\(MultipartPart.boundary)"
        case .contentType(let type, _): type
        }
    }
}

extension Array where Element == HeaderSpec {
    /// The first spec whose name equals `name`, ignoring case.
    public func first(named name: String) -> HeaderSpec? {
        first { $0.name.lowercased() == name.lowercased() }
    }
}

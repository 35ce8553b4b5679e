import TreatyModel

/// A request as it arrived (mock) or was sent (verifier): no NIO or curl types.
public struct HTTPRequestData: Sendable {
    public var method: String
    /// The path without the query, percent-encoded as on the wire.
    public var path: String
    /// The raw query string without `?` (empty when none).
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Splits a request target (`/orders?page=2`) into path and query.
    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        let noFragment = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        if let q = noFragment.firstIndex(of: "?") {
            self.init(method: method, path: String(noFragment[..<q]), query: String(noFragment[noFragment.index(after: q)...]),
                      headers: headers, body: body)
        } else {
            self.init(method: method, path: noFragment, headers: headers, body: body)
        }
    }

    public func header(_ name: String) -> String? { headers.value(of: name) }
}

/// A response as it came back from a provider.
public struct HTTPResponseData: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Fields after the body (HTTP/2 trailers: gRPC's status).
    public var trailers: [(name: String, value: String)] = []
    /// When the body's bytes came: each entry is an offset the body had reached and the seconds since
    /// the request started (recorded for gRPC, to judge per-message timing).
    public var arrivals: [(end: Int, seconds: Double)] = []

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers.value(of: name) }
}

extension Array where Element == (name: String, value: String) {
    /// All values of header `name` (ignoring case) joined with ", ", as RFC 9110 allows.
    public func value(of name: String) -> String? {
        let values = self.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }
}

extension String {
    /// ASCII case-insensitive comparison, enough for header names.
    public func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)
        }
    }
}

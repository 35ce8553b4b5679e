/// Which web origins may read the mock's answers (`--cors`).
///
/// Listed origins are allowed with credentials (cookies, `Authorization`): the answer names the
/// origin and says `Access-Control-Allow-Credentials: true`. `*` allows any other origin without
/// credentials: the answer says `Access-Control-Allow-Origin: *`, which browsers never combine
/// with credentials. An origin that is neither gets no CORS headers, so the browser keeps the answer
/// from the page. Reflecting any origin together with credentials would let every site read what
/// the developer's cookies unlock.
public struct CORSPolicy: Sendable, Equatable {
    /// Allowed with credentials, as browsers write them (lowercase scheme and host).
    public var origins: Set<String>
    /// Any other origin is allowed, without credentials.
    public var anyOrigin: Bool

    public init(origins: Set<String> = [], anyOrigin: Bool = false) {
        self.origins = origins
        self.anyOrigin = anyOrigin
    }

    /// Any origin, no credentials: what a bare `--cors` means.
    public static let anyOrigin = CORSPolicy(anyOrigin: true)

    /// Parses `ORIGIN,ORIGIN,…` where each is `*` or `scheme://host[:port]`.
    /// - Returns: the policy, or a message naming the first entry that is not an origin.
    public static func parse(_ list: String) -> Result<CORSPolicy, CORSPolicyError> {
        var policy = CORSPolicy()
        for entry in list.split(separator: ",").map({ $0.trimmingWhitespace() }) where !entry.isEmpty {
            if entry == "*" {
                policy.anyOrigin = true
                continue
            }
            guard let origin = normalised(entry) else {
                return .failure(CORSPolicyError(message: "--cors takes origins such as http://localhost:3000 (scheme, host and port, no path) or *, got \"\(entry)\""))
            }
            policy.origins.insert(origin)
        }
        if policy.origins.isEmpty && !policy.anyOrigin {
            return .failure(CORSPolicyError(message: "--cors needs at least one origin, or * for any"))
        }
        return .success(policy)
    }

    /// Whether a request from `origin` may read the answer.
    public func allows(_ origin: String) -> Bool {
        anyOrigin || origins.contains(origin.lowercased())
    }

    /// The headers an answer to a request with `Origin: origin` carries; only `Vary: Origin` when
    /// the origin is not allowed.
    public func headers(origin: String?) -> [(name: String, value: String)] {
        if let origin, origins.contains(origin.lowercased()) {
            return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin")]
        }
        let vary: [(name: String, value: String)] = origins.isEmpty ? [] : [("Vary", "Origin")]
        return anyOrigin ? [("Access-Control-Allow-Origin", "*")] + vary : vary
    }

    /// `scheme://host[:port]` lowercased, or nil when `text` has a path, a user or no host.
    static func normalised(_ text: String) -> String? {
        var origin = text.lowercased()
        if origin.hasSuffix("/") { origin.removeLast() }  // a copied URL: `http://localhost:3000/`
        guard let separator = origin.range(of: "://") else { return nil }
        let scheme = origin[..<separator.lowerBound], authority = origin[separator.upperBound...]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }),
              !authority.isEmpty, !authority.contains(where: { "/?#@ ".contains($0) }) else { return nil }
        return origin
    }
}

/// A `--cors` list that is not a list of origins.
public struct CORSPolicyError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

private extension Substring {
    func trimmingWhitespace() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

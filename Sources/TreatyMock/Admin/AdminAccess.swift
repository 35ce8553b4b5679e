import Foundation
import NIOHTTP1

/// Who may use the admin API, decided before any endpoint runs (docs/admin-api.md, "Access").
///
/// A browser is the threat: a page the developer visits can send requests to loopback ports
/// (cross-site request forgery), and a name the attacker controls can be re-pointed at 127.0.0.1
/// (DNS rebinding), which makes the page same-origin with the admin API. So, as development servers
/// do, the admin API refuses a `Host` that is not loopback, an IP address or the host it binds
/// (rebinding needs a name), refuses an `Origin` that is not loopback, and takes only
/// `application/json` for anything but reads: a page cannot send that content type across origins
/// without a CORS preflight, which the admin API never allows. A token is required as soon as the
/// admin API listens beyond loopback.
struct AdminAccess: Sendable {
    /// The address the admin API binds.
    var host: String
    /// When set, every request needs `Authorization: Bearer TOKEN`.
    var token: String?

    /// Why a request is refused, as the status and the message to answer; nil to serve it.
    func refusal(_ head: HTTPRequestHead) -> (status: HTTPResponseStatus, message: String)? {
        let hosts = head.headers["Host"]
        if hosts.count > 1 { return (.badRequest, "a request has one Host header") }
        if let host = hosts.first, !allowedHost(Self.hostname(ofAuthority: host)) {
            return (.forbidden, "the admin API answers requests for localhost, an IP address or \(self.host), not Host: \(host) (DNS rebinding)")
        }
        for origin in head.headers["Origin"] where !Self.isLoopbackOrigin(origin) {
            return (.forbidden, "the admin API refuses requests from pages of other sites (Origin: \(origin))")
        }
        if let token, !Self.constantTimeEqual(head.headers.first(name: "Authorization") ?? "", "Bearer " + token) {
            return (.unauthorized, "the admin API needs Authorization: Bearer <token>")
        }
        if ![HTTPMethod.GET, .HEAD, .OPTIONS].contains(head.method), !Self.isJSON(head.headers.first(name: "Content-Type")) {
            return (.unsupportedMediaType,
                    "the admin API takes Content-Type: application/json for \(head.method.rawValue) (curl -H 'Content-Type: application/json')")
        }
        return nil
    }

    private func allowedHost(_ name: String) -> Bool {
        Self.isLoopbackName(name) || Self.isIPAddress(name) || name == Self.hostname(ofAuthority: host.lowercased())
    }

    /// Whether binding `host` keeps the admin API on this machine.
    static func isLoopback(bindHost host: String) -> Bool {
        let name = host.lowercased()
        return name == "localhost" || name == "::1" || name == "[::1]" || isIPv4Loopback(name)
    }

    /// The host name of `host[:port]` or `[v6]:port`, lowercased, without brackets.
    static func hostname(ofAuthority authority: String) -> String {
        let text = authority.trimmingCharacters(in: .whitespaces).lowercased()
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        // More than one colon without brackets is a bare IPv6 address (not valid in Host, but harmless).
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }

    static func isLoopbackOrigin(_ origin: String) -> Bool {
        guard let separator = origin.range(of: "://") else { return false }  // `null` (sandboxed pages, files) too
        let scheme = origin[..<separator.lowerBound].lowercased()
        let authority = origin[separator.upperBound...]
        guard scheme == "http" || scheme == "https", !authority.contains("/"), !authority.contains("@") else { return false }
        return isLoopbackName(hostname(ofAuthority: String(authority)))
    }

    /// `localhost`, a `*.localhost` name (resolved to loopback by browsers, RFC 6761), 127.0.0.0/8 or ::1.
    static func isLoopbackName(_ name: String) -> Bool {
        name == "localhost" || name.hasSuffix(".localhost") || name == "::1" || isIPv4Loopback(name)
    }

    static func isIPv4Loopback(_ name: String) -> Bool {
        isIPv4(name) && name.hasPrefix("127.")
    }

    static func isIPAddress(_ name: String) -> Bool {
        isIPv4(name) || (name.contains(":") && name.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." })
    }

    static func isIPv4(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) && Int($0)! <= 255 }
    }

    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return media.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    /// Compares without stopping at the first difference, so timing does not reveal the token.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return difference == 0
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

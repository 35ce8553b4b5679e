/// How the mock serves its contracts.
public struct MockConfiguration: Sendable {
    /// The address to bind; loopback unless the user asks otherwise.
    public var host: String
    /// Status of the diagnostic answer to an unmatched request.
    public var unmatchedStatus: Int
    /// Largest request body accepted; larger ones get 413.
    public var maximumBodyBytes: Int
    /// Log every request, not just unmatched ones.
    public var verbose: Bool
    /// Which origins may read answers: CORS preflights are answered and allowed origins get
    /// `Access-Control-Allow-Origin`; nil for no CORS at all.
    public var corsPolicy: CORSPolicy?
    /// Whether CORS applies at all.
    public var cors: Bool { corsPolicy != nil }
    /// Seconds a connection may stay open without a request before it is closed.
    public var idleTimeout: Double
    /// Seconds a request may take to arrive, from its first byte to its end (slow-loris defence); 408 after.
    public var requestTimeout: Double
    /// Connections open at once per port; more are closed as they arrive.
    public var maximumConnections: Int
    /// Access log lines: `text` or `json` (one object per line).
    public var logFormat: LogFormat
    /// Serve HTTPS (HTTP/2 or HTTP/1.1 by ALPN) instead of cleartext.
    public var tls: TLSSettings?
    /// Where published messages also go as webhooks when the publish names no `to`.
    public var publishURL: String?

    public enum LogFormat: String, Sendable, CaseIterable {
        case text, json
    }

    public init(
        host: String = "127.0.0.1", unmatchedStatus: Int = 404, maximumBodyBytes: Int = 16 << 20, verbose: Bool = false,
        cors: CORSPolicy? = nil, idleTimeout: Double = 60, requestTimeout: Double = 10, maximumConnections: Int = 4096,
        logFormat: LogFormat = .text, tls: TLSSettings? = nil
    ) {
        self.tls = tls
        self.host = host
        self.unmatchedStatus = unmatchedStatus
        self.maximumBodyBytes = maximumBodyBytes
        self.verbose = verbose
        self.corsPolicy = cors
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maximumConnections = maximumConnections
        self.logFormat = logFormat
    }
}

/// A contract to serve and the port to serve it on (0 picks a free one).
public struct MockBinding: Sendable {
    public var responder: MockResponder
    public var port: Int

    public init(responder: MockResponder, port: Int) {
        self.responder = responder
        self.port = port
    }
}

/// A contract being served, and where.
public struct ServedContract: Sendable {
    public var file: String
    public var consumer: String
    public var provider: String
    public var interactions: Int
    public var host: String
    public var port: Int

    public init(file: String, consumer: String, provider: String, interactions: Int, host: String, port: Int, tls: Bool = false) {
        self.file = file
        self.consumer = consumer
        self.provider = provider
        self.interactions = interactions
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Whether the port speaks HTTPS.
    public var tls: Bool
    /// What the port speaks: `http` (HTTP/1.1, HTTP/2, gRPC, WebSocket), or raw `tcp`, `udp` or `tcp+udp`.
    public var transport = "http"

    public var url: String {
        let h = host.contains(":") ? "[\(host)]" : host
        switch transport {
        case "tcp", "tcp+udp": return "tcp://\(h):\(port)"
        case "udp": return "udp://\(h):\(port)"
        default: return (tls ? "https" : "http") + "://\(h):\(port)"
        }
    }
}

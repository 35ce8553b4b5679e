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

    public init(host: String = "127.0.0.1", unmatchedStatus: Int = 404, maximumBodyBytes: Int = 16 << 20, verbose: Bool = false) {
        self.host = host
        self.unmatchedStatus = unmatchedStatus
        self.maximumBodyBytes = maximumBodyBytes
        self.verbose = verbose
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

    public var url: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "http://\(h):\(port)"
    }
}

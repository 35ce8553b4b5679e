import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import TreatyModel

/// Serves contracts on local ports with SwiftNIO, one port per contract.
///
/// Use `withMockServer(_:configuration:log:_:)`: it binds every port before running `body`, and
/// closes the listeners and their connections when `body` returns or throws.
public enum MockServer {
    /// A running mock: where each contract is served, the admin API's URL, and the journal.
    public struct Runtime: Sendable {
        public var contracts: [ServedContract]
        public var adminURL: String?
        public var journal: MockJournal
        /// What each port serves, in the order of the bindings; replace a responder to reload.
        public var responders: [ResponderBox]
        /// Callbacks sent and their outcomes.
        public var callbacks: CallbackDispatcher
        /// Subscribers to the contracts' messages.
        public var messages: MessageHub
        let view: AdminView

        /// Interactions no request has matched yet (what `--expect-all` reports).
        public func neverCalled() -> [(contract: String, interaction: String)] { view.neverCalled() }
    }

    /// Sets how many event loop threads serve connections (nil: half the cores, at least one);
    /// call before the first server starts. A mock shares its machine with its clients (it binds
    /// loopback): one loop answers tens of thousands of requests a second, and a loop per core
    /// only makes the loops and the clients preempt each other, which shows as tail latency.
    public static func useThreads(_ count: Int?) {
        NIOSingletons.groupLoopCountSuggestion = max(1, count ?? System.coreCount / 2)
    }

    /// Serves `bindings` while `body` runs.
    /// - Throws: `TreatyError` with code `.server` when a port cannot be bound, or what `body` throws.
    public static func withMockServer<R: Sendable>(
        _ bindings: [MockBinding],
        configuration: MockConfiguration = MockConfiguration(),
        log: @escaping @Sendable (String) -> Void = { _ in },
        _ body: @Sendable ([ServedContract]) async throws -> R
    ) async throws -> R {
        try await withMockRuntime(bindings, configuration: configuration, log: log) { try await body($0.contracts) }
    }

    /// Serves `bindings` (and the admin API when `admin` is given) while `body` runs.
    public static func withMockRuntime<R: Sendable>(
        _ bindings: [MockBinding],
        configuration: MockConfiguration = MockConfiguration(),
        admin: AdminSettings? = nil,
        journalSize: Int = 1000,
        log: @escaping @Sendable (String) -> Void = { _ in },
        _ body: @Sendable (Runtime) async throws -> R
    ) async throws -> R {
        let connections = ConnectionRegistry()
        let journal = MockJournal(capacity: journalSize, interactionCounts: bindings.map { $0.responder.contract.interactions.count })
        let table = ServingTable()
        let dispatcher = CallbackDispatcher(capacity: journalSize, log: log)
        let hub = MessageHub()
        var served: [ServedContract] = []
        var adminListener: (any Channel)?
        var adminURL: String?
        let unmatchedStatus = bindings.first?.responder.unmatchedStatus ?? configuration.unmatchedStatus
        let serve: @Sendable (ResponderBox, Int) -> EventLoopFuture<ServedContract> = { box, port in
            let index = table.reserve(box)
            let contract = box.current.contract
            journal.setInteractions(contract: index, count: contract.interactions.count)
            return bind(port: port, file: contract.file, box: box, index: index, journal: journal, configuration: configuration,
                        connections: connections, dispatcher: dispatcher, hub: hub, log: log).map { listener in
                var place = ServedContract(file: contract.file, consumer: contract.consumer, provider: contract.provider,
                                           interactions: contract.interactions.count, host: configuration.host,
                                           port: listener.localAddress?.port ?? port, tls: configuration.tls != nil)
                place.transport = rawTransport(contract) ?? "http"
                if place.transport != "http" { place.tls = false }
                table.fill(index, place: place, listener: listener)
                return place
            }
        }
        var view = AdminView(table: table, journal: journal, callbacks: dispatcher, hub: hub,
                             access: AdminAccess(host: admin?.host ?? "127.0.0.1", token: admin?.token),
                             install: { contract, port in
                                 log("admin API: serving \(contract.file) on a new port")
                                 return serve(ResponderBox(MockResponder(contract: contract, unmatchedStatus: unmatchedStatus)), port)
                             },
                             unmatchedStatus: unmatchedStatus)
        view.publishURL = configuration.publishURL
        if let admin { view.resolver = admin.resolver }
        do {
            for binding in bindings {
                served.append(try await serve(ResponderBox(binding.responder), binding.port).get())
            }
            if let admin {
                let listener = try await bindAdmin(admin, view: view, connections: connections)
                adminListener = listener
                let host = admin.host.contains(":") && !admin.host.hasPrefix("[") ? "[\(admin.host)]" : admin.host
                adminURL = "http://\(host):\(listener.localAddress?.port ?? admin.port)"
            }
        } catch {
            await close(table.listeners + [adminListener].compactMap { $0 }, connections)
            throw error
        }
        let boxes = table.slots().prefix(bindings.count).map(\.box)
        do {
            let result = try await body(Runtime(contracts: served, adminURL: adminURL, journal: journal, responders: Array(boxes),
                                                callbacks: dispatcher, messages: hub, view: view))
            await close(table.listeners + [adminListener].compactMap { $0 }, connections)
            return result
        } catch {
            await close(table.listeners + [adminListener].compactMap { $0 }, connections)
            throw error
        }
    }

    /// The admin API listens on its own host (loopback unless asked), whatever `--host` says; beyond
    /// loopback only with a token, since anyone who reaches it can change what the mock serves.
    static func bindAdmin(_ admin: AdminSettings, view: AdminView, connections: ConnectionRegistry) async throws -> any Channel {
        if admin.token == nil, !AdminAccess.isLoopback(bindHost: admin.host) {
            throw TreatyError(code: .usage, message: "the admin API listens on \(admin.host), beyond loopback, only with a token",
                              cause: "set TREATY_ADMIN_TOKEN (or the variable --admin-token-env names), or keep --admin-host 127.0.0.1")
        }
        do {
            return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    guard connections.add(channel, limit: Int.max) else { return channel.close() }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(runtime: view))
                    }
                }
                .bind(host: admin.host, port: admin.port).get()
        } catch {
            throw TreatyError(code: .server, message: "cannot listen on \(admin.host):\(admin.port) for the admin API",
                              cause: "\(error); pick another with --admin-port")
        }
    }

    /// A listener's options: a long backlog, reusable addresses, no Nagle delay on connections.
    static func listenerBootstrap() -> ServerBootstrap {
        ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    }

    /// Registers a new connection unless `--max-connections` are already open (then logs the refusal).
    static func admit(_ channel: any Channel, _ connections: ConnectionRegistry, _ configuration: MockConfiguration,
                      _ log: @Sendable (String) -> Void) -> Bool {
        guard connections.add(channel, limit: configuration.maximumConnections) else {
            log("refused a connection: \(configuration.maximumConnections) already open (--max-connections)")
            return false
        }
        return true
    }

    /// `tcp`, `udp` or `tcp+udp` for a contract of raw interactions; nil for HTTP.
    static func rawTransport(_ contract: Contract) -> String? {
        let tcp = contract.interactions.contains { $0.kind.name == .tcp }, udp = contract.interactions.contains { $0.kind.name == .udp }
        switch (tcp, udp) {
        case (true, true): return "tcp+udp"
        case (true, false): return "tcp"
        case (false, true): return "udp"
        case (false, false): return nil
        }
    }

    /// A contract of `tcp` and `udp` interactions: a TCP listener playing the conversations and a
    /// datagram channel answering datagrams, on the same port number. Raw TCP is cleartext.
    static func bindRaw(
        port: Int, file: String, box: ResponderBox, index: Int, journal: MockJournal, configuration: MockConfiguration,
        connections: ConnectionRegistry, log: @escaping @Sendable (String) -> Void
    ) -> EventLoopFuture<any Channel> {
        let contract = box.current.contract
        @Sendable func failure(_ error: any Error, _ what: String, _ port: Int) -> TreatyError {
            TreatyError(code: .server, message: "cannot listen on \(configuration.host):\(port) (\(what)) for \(file)",
                        cause: "\(error); is another process using the port? Pick another with --port or \"mock.port\"")
        }
        @Sendable func bindUDP(_ port: Int) -> EventLoopFuture<any Channel> {
            DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // Whole datagrams: NIO's default receive buffer would cut anything over 2 KiB.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(UDPResponder(box: box, journal: journal, contractIndex: index,
                                                                                    verbose: configuration.verbose, log: log))
                    }
                }
                .bind(host: configuration.host, port: port)
                .flatMapErrorThrowing { throw failure($0, "UDP", port) }
        }
        guard contract.interactions.contains(where: { $0.kind.name == .tcp }) else { return bindUDP(port) }
        let tcp = listenerBootstrap()
            .childChannelInitializer { channel in
                guard admit(channel, connections, configuration, log) else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TCPConversationHandler(
                        scripts: box.current.tcpScripts, journal: journal, contractIndex: index, verbose: configuration.verbose,
                        idleTimeout: configuration.idleTimeout, log: log))
                }
            }
            .bind(host: configuration.host, port: port)
            .flatMapErrorThrowing { throw failure($0, "TCP", port) }
        guard contract.interactions.contains(where: { $0.kind.name == .udp }) else { return tcp }
        return tcp.flatMap { listener in
            bindUDP(listener.localAddress?.port ?? port).map { udp in
                // The datagram channel closes with the connections at shutdown (it handles GracefulShutdown).
                _ = connections.add(udp, limit: Int.max)
                return listener
            }.flatMapError { error in listener.close().flatMapThrowing { throw error } }
        }
    }

    static func bind(
        port: Int, file: String, box: ResponderBox, index: Int, journal: MockJournal, configuration: MockConfiguration,
        connections: ConnectionRegistry, dispatcher: CallbackDispatcher? = nil, hub: MessageHub? = nil, log: @escaping @Sendable (String) -> Void
    ) -> EventLoopFuture<any Channel> {
        if rawTransport(box.current.contract) != nil {
            return bindRaw(port: port, file: file, box: box, index: index, journal: journal, configuration: configuration, connections: connections, log: log)
        }
        return listenerBootstrap()
            .childChannelInitializer { channel in
                guard admit(channel, connections, configuration, log) else { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    try configureHTTPConnection(channel, box: box, index: index, journal: journal, configuration: configuration,
                                                dispatcher: dispatcher, hub: hub, log: log)
                }
            }
            .bind(host: configuration.host, port: port)
            .flatMapErrorThrowing { error in
                throw TreatyError(code: .server, message: "cannot listen on \(configuration.host):\(port) for \(file)",
                                  cause: "\(error); is another process using the port? Pick another with --port or \"mock.port\"")
            }
    }

    /// Sets up the handlers of one accepted HTTP connection: TLS when configured, the timeouts, and
    /// the protocol detector that installs HTTP/1.1 or HTTP/2 (with gRPC) once the first bytes show
    /// which. Package-visible so the mock-request fuzz target drives exactly this pipeline.
    package static func configureHTTPConnection(
        _ channel: any Channel, box: ResponderBox, index: Int, journal: MockJournal, configuration: MockConfiguration,
        dispatcher: CallbackDispatcher?, hub: MessageHub?, log: @escaping @Sendable (String) -> Void
    ) throws {
        let timeouts = RequestTimeoutHandler(idleTimeout: configuration.idleTimeout, requestTimeout: configuration.requestTimeout)
        let handler = { @Sendable (timeouts: RequestTimeoutHandler?) in
            MockHTTPHandler(responder: box, configuration: configuration, timeouts: timeouts, journal: journal,
                            contractIndex: index, dispatcher: dispatcher, hub: hub, log: log)
        }
        let detector = ProtocolDetector(
            log: configuration.verbose ? log : nil,
            http1: { context in
                let pipeline = context.pipeline.syncOperations
                // The HTTP/1 codec without NIO's pipelining helper or its response-header validation:
                // MockHTTPHandler keeps pipelined answers in order itself and writes prepared answers
                // as bytes below the encoder, so the encoder is not paired with the decoder (a paired
                // one counts requests to drop bodies of HEAD answers; the handler does that). Header
                // names are RFC tokens (checked when contracts load) and generated values lose line
                // breaks, so per-response validation is not needed.
                try pipeline.addHandlers([HTTPResponseEncoder(configuration: .init()),
                                          ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))],
                                         position: .after(context.handler))
                try pipeline.addHandler(ProtocolErrorHandler(log: log))
                try pipeline.addHandler(handler(timeouts))
            },
            http2: { context in
                // Streams multiplex one connection: the HTTP/1 request timer does not apply,
                // the idle one does (any frame counts as activity).
                timeouts.multiplexed()
                let connection = NIOLoopBound(timeouts, eventLoop: context.eventLoop)
                // gRPC calls are served by the connection handler between the HTTP/2 handler
                // and the multiplexer; other requests get a child channel with the HTTP handlers.
                let grpc = GRPCConnectionHandler(
                    makeCall: { id in
                        GRPCCall(streamID: id, box: box, journal: journal, contractIndex: index, verbose: configuration.verbose,
                                 requestTimeout: .milliseconds(Int64(configuration.requestTimeout * 1000)), log: log)
                    },
                    opened: { connection.value.streamOpened() }, ended: { connection.value.streamClosed() })
                let multiplexer = HTTP2StreamMultiplexer(
                    mode: .server, channel: context.channel, targetWindowSize: 65535,
                    outboundBufferSizeHighWatermark: 8192, outboundBufferSizeLowWatermark: 4096
                ) { stream in
                    // Shutdown waits for open streams; the idle limit does not cut them.
                    connection.value.streamOpened()
                    stream.closeFuture.whenComplete { _ in connection.value.streamClosed() }
                    return stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(EndStreamCoalescer())
                        try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                        try stream.pipeline.syncOperations.addHandler(StreamRequestTimeoutHandler(
                            requestTimeout: .milliseconds(Int64(configuration.requestTimeout * 1000)), log: log))
                        try stream.pipeline.syncOperations.addHandler(handler(nil))
                    }
                }
                // Last: connection errors no stream handler takes (an unclean TLS close) are logged in words.
                let logger: [any ChannelHandler] = configuration.verbose ? [ConnectionErrorLogger(log: log)] : []
                try context.pipeline.syncOperations.addHandlers(
                    [NIOHTTP2Handler(mode: .server), grpc, multiplexer] + logger, position: .after(context.handler))
            })
        if let tls = configuration.tls {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context))
        }
        try channel.pipeline.syncOperations.addHandler(timeouts)
        try channel.pipeline.syncOperations.addHandler(detector)
    }

    static func close(_ listeners: [any Channel], _ connections: ConnectionRegistry) async {
        for listener in listeners { try? await listener.close() }
        await connections.closeAll()
    }
}

/// The open connections, so shutdown can close them after the listeners.
final class ConnectionRegistry: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    /// Registers `channel` unless `limit` connections are already open.
    func add(_ channel: any Channel, limit: Int) -> Bool {
        let id = ObjectIdentifier(channel)
        let added = channels.withLockedValue { open -> Bool in
            guard open.count < limit else { return false }
            open[id] = channel
            return true
        }
        guard added else { return false }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.channels.withLockedValue { _ = $0.removeValue(forKey: id) }
        }
        return true
    }

    /// Asks every connection to finish what it is answering, waits up to `grace` seconds, then
    /// closes what is left.
    func closeAll(grace: Double = 5) async {
        let open = channels.withLockedValue { Array($0.values) }
        for channel in open { channel.pipeline.fireUserInboundEventTriggered(GracefulShutdown()) }
        let deadline = ContinuousClock.now + .milliseconds(Int(grace * 1000))
        while ContinuousClock.now < deadline, channels.withLockedValue({ !$0.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = channels.withLockedValue { Array($0.values) }
        for channel in left { try? await channel.close() }
    }
}

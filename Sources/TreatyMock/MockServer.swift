import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
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
        let view: AdminView

        /// Interactions no request has matched yet (what `--expect-all` reports).
        public func neverCalled() -> [(contract: String, interaction: String)] { view.neverCalled() }
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
        var listeners: [any Channel] = []
        var served: [ServedContract] = []
        var adminURL: String?
        let view: AdminView
        let boxes = bindings.map { ResponderBox($0.responder) }
        do {
            for (index, binding) in bindings.enumerated() {
                let listener = try await bind(binding, box: boxes[index], index: index, journal: journal, configuration: configuration,
                                              connections: connections, log: log)
                listeners.append(listener)
                let contract = binding.responder.contract
                served.append(ServedContract(file: contract.file, consumer: contract.consumer, provider: contract.provider,
                                             interactions: contract.interactions.count, host: configuration.host,
                                             port: listener.localAddress?.port ?? binding.port))
            }
            view = AdminView(served: served, boxes: boxes, journal: journal, token: admin?.token)
            if let admin {
                let listener = try await bindAdmin(admin, view: view, connections: connections)
                listeners.append(listener)
                adminURL = "http://127.0.0.1:\(listener.localAddress?.port ?? admin.port)"
            }
        } catch {
            await close(listeners, connections)
            throw error
        }
        do {
            let result = try await body(Runtime(contracts: served, adminURL: adminURL, journal: journal, responders: boxes, view: view))
            await close(listeners, connections)
            return result
        } catch {
            await close(listeners, connections)
            throw error
        }
    }

    /// The admin API listens on loopback only, whatever `--host` says.
    static func bindAdmin(_ admin: AdminSettings, view: AdminView, connections: ConnectionRegistry) async throws -> any Channel {
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
                .bind(host: "127.0.0.1", port: admin.port).get()
        } catch {
            throw TreatyError(code: .server, message: "cannot listen on 127.0.0.1:\(admin.port) for the admin API",
                              cause: "\(error); pick another with --admin-port")
        }
    }

    static func bind(
        _ binding: MockBinding, box: ResponderBox, index: Int, journal: MockJournal, configuration: MockConfiguration, connections: ConnectionRegistry,
        log: @escaping @Sendable (String) -> Void
    ) async throws -> any Channel {
        let responder = binding.responder
        do {
            return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    guard connections.add(channel, limit: configuration.maximumConnections) else {
                        log("refused a connection: \(configuration.maximumConnections) already open (--max-connections)")
                        return channel.close()
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        let timeouts = RequestTimeoutHandler(idleTimeout: configuration.idleTimeout, requestTimeout: configuration.requestTimeout)
                        let handler = { (timeouts: RequestTimeoutHandler?) in
                            MockHTTPHandler(responder: box, configuration: configuration, timeouts: timeouts, journal: journal,
                                            contractIndex: index, log: log)
                        }
                        let detector = ProtocolDetector(
                            http1: { context in
                                let pipeline = context.pipeline.syncOperations
                                // Header names are RFC tokens (checked when contracts load) and generated values lose
                                // line breaks, so NIO's per-response header validation is not needed.
                                try pipeline.configureHTTPServerPipeline(position: .after(context.handler), withErrorHandling: false,
                                                                         withOutboundHeaderValidation: false)
                                try pipeline.addHandler(ProtocolErrorHandler(log: log))
                                try pipeline.addHandler(handler(timeouts))
                            },
                            http2: { context in
                                // Streams multiplex one connection: the HTTP/1 request timer does not apply.
                                context.pipeline.syncOperations.removeHandler(timeouts, promise: nil)
                                _ = try context.pipeline.syncOperations.configureHTTP2Pipeline(
                                    mode: .server, connectionConfiguration: .init(), streamConfiguration: .init()
                                ) { stream in
                                    stream.eventLoop.makeCompletedFuture {
                                        try stream.pipeline.syncOperations.addHandler(EndStreamCoalescer())
                                        try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                                        try stream.pipeline.syncOperations.addHandler(handler(nil))
                                    }
                                }
                            })
                        try channel.pipeline.syncOperations.addHandler(timeouts)
                        try channel.pipeline.syncOperations.addHandler(detector)
                    }
                }
                .bind(host: configuration.host, port: binding.port).get()
        } catch {
            throw TreatyError(code: .server, message: "cannot listen on \(configuration.host):\(binding.port) for \(responder.contract.file)",
                              cause: "\(error); is another process using the port? Pick another with --port or \"mock.port\"")
        }
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

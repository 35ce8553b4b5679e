import NIOCore
import NIOHTTP1
import NIOPosix
import TreatyModel

/// Serves contracts on local ports with SwiftNIO, one port per contract.
///
/// Use `withMockServer(_:configuration:log:_:)`: it binds every port before running `body`, and
/// closes them all when `body` returns or throws.
public enum MockServer {
    typealias Listener = NIOAsyncChannel<HTTPConnectionHandler.Connection, Never>

    /// Serves `bindings` while `body` runs.
    /// - Throws: `TreatyError` with code `.server` when a port cannot be bound, or what `body` throws.
    public static func withMockServer<R: Sendable>(
        _ bindings: [MockBinding],
        configuration: MockConfiguration = MockConfiguration(),
        log: @escaping @Sendable (String) -> Void = { _ in },
        _ body: @Sendable ([ServedContract]) async throws -> R
    ) async throws -> R {
        var listeners: [(Listener, HTTPConnectionHandler)] = []
        var served: [ServedContract] = []
        do {
            for binding in bindings {
                let listener = try await bind(host: configuration.host, port: binding.port, file: binding.responder.contract.file)
                let handler = HTTPConnectionHandler(responder: binding.responder, configuration: configuration, log: log)
                listeners.append((listener, handler))
                let contract = binding.responder.contract
                served.append(ServedContract(file: contract.file, consumer: contract.consumer, provider: contract.provider,
                                             interactions: contract.interactions.count, host: configuration.host,
                                             port: listener.channel.localAddress?.port ?? binding.port))
            }
        } catch {
            for (listener, _) in listeners { try? await listener.channel.close() }
            throw error
        }
        let servedContracts = served
        let ready = listeners
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for (listener, handler) in ready {
                group.addTask { try await serve(listener, handler) }
            }
            do {
                let result = try await body(servedContracts)
                group.cancelAll()
                for (listener, _) in ready { try? await listener.channel.close() }
                return result
            } catch {
                group.cancelAll()
                for (listener, _) in ready { try? await listener.channel.close() }
                throw error
            }
        }
    }

    static func bind(host: String, port: Int, file: String) async throws -> Listener {
        do {
            return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try HTTPConnectionHandler.Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw TreatyError(code: .server, message: "cannot listen on \(host):\(port) for \(file)",
                              cause: "\(error); is another process using the port? Pick another with --port or \"mock.port\"")
        }
    }

    static func serve(_ listener: Listener, _ handler: HTTPConnectionHandler) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await handler.handle(connection) }
                }
            }
        }
    }
}

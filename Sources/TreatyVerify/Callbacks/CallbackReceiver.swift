import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import TreatyMatching

/// A small HTTP server on loopback that takes the callbacks a provider makes while it is verified:
/// every request is recorded and answered 204. Its URL goes to the provider through the request
/// (`{"callbackURL": "/path"}` generators), and each interaction takes the callbacks sent to its path.
final class CallbackReceiver: Sendable {
    let url: String
    private let channel: any Channel
    private let received: NIOLockedValueBox<[HTTPRequestData]>

    private init(url: String, channel: any Channel, received: NIOLockedValueBox<[HTTPRequestData]>) {
        self.url = url
        self.channel = channel
        self.received = received
    }

    /// Listens on an ephemeral port of `host`; nil when it cannot.
    static func start(host: String) async -> CallbackReceiver? {
        let received = NIOLockedValueBox<[HTTPRequestData]>([])
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(Recorder(received: received))
                    }
                }
                .bind(host: host, port: 0).get()
            let port = channel.localAddress?.port ?? 0
            return CallbackReceiver(url: "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)", channel: channel,
                                    received: received)
        } catch {
            return nil
        }
    }

    /// The first recorded callback to `path` (no query), removed from the record.
    func take(path: String) -> HTTPRequestData? {
        received.withLockedValue { all in
            guard let index = all.firstIndex(where: { $0.path == path }) else { return nil }
            return all.remove(at: index)
        }
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Recorder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let received: NIOLockedValueBox<[HTTPRequestData]>
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(received: NIOLockedValueBox<[HTTPRequestData]>) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body = []
            case .body(let chunk):
                if body.count < 16 << 20 { body += Array(chunk.readableBytesView) }
            case .end:
                guard let head else { return }
                self.head = nil
                let request = HTTPRequestData(method: head.method.rawValue, target: head.uri,
                                              headers: head.headers.map { ($0.name, $0.value) }, body: body)
                received.withLockedValue { $0.append(request) }
                var headers = HTTPHeaders([("Content-Length", "0")])
                if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .noContent, headers: headers))),
                              promise: nil)
                let keepAlive = head.isKeepAlive
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                    if !keepAlive { channel.close(promise: nil) }
                }
            }
        }
    }
}

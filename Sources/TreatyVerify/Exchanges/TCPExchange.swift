import TreatyModel

/// A `tcp` interaction: the conversation with the provider at the base URL (`tcp://host:port`;
/// only the host and port count) over libcurl's `CURLOPT_CONNECT_ONLY` mode (`TCPClient`), on a
/// thread of its own; `tick` picks up its outcome.
extension InteractionRun {
    func tcpExchange(_ tcp: TCPInteraction) {
        let transport = options.transport
        let client: TCPClient
        do throws(TransportError) { client = try TCPClient(base: baseURL) } catch {
            return conclude(.failed(.preparation(error)))
        }
        let sendable = UnsafeSendable(value: client)
        let greeting = greeting
        onThread {
            let client = sendable.value
            return (client.converse(tcp, greeting: greeting, options: transport), client.log.text)
        }
    }

    /// The server's opening steps of the contract's TCP conversation that starts with the
    /// server: every connection gets them, so a conversation that starts with the client reads
    /// them first.
    static func greeting(of contract: Contract) -> [SocketStep] {
        for interaction in contract.interactions {
            if case .tcp(let tcp) = interaction.kind, tcp.conversation.first?.side == .server {
                return Array(tcp.conversation.prefix { $0.side == .server })
            }
        }
        return []
    }
}

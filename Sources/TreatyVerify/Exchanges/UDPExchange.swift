import TreatyModel

/// A `udp` interaction: datagrams to the provider at the base URL (`udp://host:port`) over a POSIX
/// datagram socket (`UDPClient`; libcurl has no UDP), on a thread of its own; `tick` picks up the outcome.
extension InteractionRun {
    func udpExchange(_ udp: UDPInteraction) {
        let base = baseURL
        onThread {
            let client = UDPClient(base: base)
            return (client.exchange(udp), client.log.text)
        }
    }
}

import TreatyMatching
import TreatyModel

/// A `message` interaction, as Pact verifies message pacts: the provider's message producer is
/// asked for the message by description and states, and what it answers is the message: the body
/// its contents, `Pact-Message-Metadata` (base64 JSON) its metadata, with the Content-Type.
extension InteractionRun {
    func messageExchange(_ spec: MessageSpec) {
        guard let messageURL = options.messageURL else {
            log.line("# a message interaction: give --message-url (the provider's message producer) to verify it")
            return conclude(.skipped("message interaction: no --message-url given"))
        }
        let body = JSONNode.object([
            ("description", .string(interaction.name)),
            ("providerStates", .array(interaction.states.map { .object([("name", .string($0.name)), ("params", JSONNode(.object($0.params)))]) })),
        ])
        let request = HTTPRequestData(method: "POST", path: "", headers: [("Content-Type", "application/json")] + options.extraHeaders,
                                      body: body.renderedBytes())
        log.request(request, url: messageURL)
        multi.start(request, to: messageURL) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.response(response, seconds: seconds)
                guard (200..<300).contains(response.status) else {
                    return conclude(.failed(.messageProducer(url: messageURL, status: response.status, description: interaction.name,
                                                             body: String(decoding: response.body.prefix(500), as: UTF8.self))))
                }
                conclude(.judged(Self.judgeMessage(response, spec)))
            case .failure(let error):
                conclude(.failed(.transport(error)))
            }
        }
    }

    /// The producer's answer against the contract's message: contents by `MessageMatcher.match`
    /// (paths under `$.contents`), metadata by `matchMetadata`.
    private static func judgeMessage(_ response: HTTPResponseData, _ spec: MessageSpec) -> [Mismatch] {
        var metadata: [String: String] = [:]
        if let encoded = response.header("Pact-Message-Metadata") ?? response.header("X-Treaty-Message-Metadata"),
           let bytes = Base64Text.decode(encoded), let object = (try? JSONParser.parse(bytes).root)?.objectValue {
            for member in object.members { metadata[member.key] = member.value.stringValue ?? member.value.rendered() }
        }
        if metadata["contentType"] == nil, let type = response.header("Content-Type") { metadata["contentType"] = type }
        var expected = spec
        // A content type names a media type: parameters (charset) do not count.
        if let i = expected.metadata.firstIndex(where: { $0.name == "contentType" }),
           let type = metadata["contentType"], let want = expected.metadata[i].values.first?.example.stringValue,
           type.lowercased().hasPrefix(want.lowercased()) {
            expected.metadata.remove(at: i)
        }
        return MessageMatcher.match(response.body, expected).map { m -> Mismatch in
            var m = m
            m.path = m.path.replacingOccurrences(of: "$.body", with: "$.contents")
            return m
        } + MessageMatcher.matchMetadata(metadata, expected.metadata)
    }
}

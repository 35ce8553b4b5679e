import TreatyModel

/// Matches an actual message body against a message spec. Like responses, messages may carry keys
/// the consumer does not read.
public enum MessageMatcher {
    public static func match(_ body: [UInt8], _ spec: MessageSpec) -> [Mismatch] {
        BodyMatching.match(spec.contents, body, allowUnexpectedKeys: true)
    }
}

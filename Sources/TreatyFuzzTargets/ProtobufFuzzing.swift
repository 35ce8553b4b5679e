import TreatyModel

/// The protobuf target: the first byte picks a direction, decode options and a message type of the
/// recursive descriptors in Fixtures/fuzz/tree.pb; the rest is the message (binary or JSON).
enum ProtobufFuzzing {
    static let types = [
        "fuzz.v1.Tree", "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue",
        "google.protobuf.Any", "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.UInt64Value",
    ]

    static func transcode(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let transcoder = FuzzFixtures.transcoder
        let type = types[Int(first >> 2) % types.count]
        let options: ProtoJSON.DecodeOptions = first & 2 == 0 ? [.includeDefaults] : [.keepUnknownFields]
        let message = Array(bytes.dropFirst())
        if first & 1 == 0 {
            // Binary from a provider or client: decode, then encode what was decoded and decode that.
            guard let json = try? transcoder.decode(message, as: type, options: options) else { return }
            _ = json.rendered()
            guard let again = try? transcoder.encode(json, as: type) else { return }
            _ = try? transcoder.decode(again, as: type, options: options)
        } else {
            // JSON from a contract: encode, then decode what was encoded.
            guard let json = try? JSONParser.parse(message).root else { return }
            guard let encoded = try? transcoder.encode(json, as: type) else { return }
            _ = try? transcoder.decode(encoded, as: type, options: options)
        }
    }
}

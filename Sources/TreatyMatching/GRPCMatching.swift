import TreatyModel

/// Matches gRPC calls against a contract's `grpc` interactions. Messages are compared in proto3
/// JSON (defaults filled in, since proto3 does not send them); fields the contract does not name
/// are allowed on both sides, as protobuf readers ignore fields they do not know.
public enum GRPCMatching {
    static let messages = ValueMatcher(allowUnexpectedKeys: true)

    /// The request side (the mock): metadata and the messages received so far. With `complete`
    /// false (a bidirectional call still sending), fewer messages than the contract lists is fine.
    public static func matchRequest(_ call: GRPCInteraction, metadata: [(name: String, value: String)], messages received: [JSONNode],
                                    complete: Bool) -> [Mismatch] {
        var out = metadataMismatches(call.requestMetadata, metadata, section: "metadata")
        out += messageMismatches(call.requests, received, section: "requests", complete: complete)
        return out
    }

    /// The response side (the verifier): metadata, messages, status, message, details and trailers.
    public static func judgeResponse(_ call: GRPCInteraction, metadata: [(name: String, value: String)], messages received: [JSONNode],
                                     status: GRPCStatus, statusMessage: String, details: [JSONNode], trailers: [(name: String, value: String)]) -> [Mismatch] {
        var out: [Mismatch] = []
        if status != call.status {
            let detail = statusMessage.isEmpty ? "" : ": \(clip(statusMessage, limit: 160))"
            out.append(Mismatch(path: "$.status", expected: call.status.description, actual: status.description, rule: "equality",
                                message: "expected status \(call.status.name), got \(status.name)\(detail)"))
        }
        if let pattern = call.statusMessage {
            out += StringMatching.match(pattern, statusMessage, path: "$.statusMessage", what: "status message")
        }
        if !call.details.isEmpty {
            if details.count < call.details.count {
                out.append(Mismatch(path: "$.details", expected: "\(call.details.count) detail(s)", actual: "\(details.count)", rule: "missing",
                                    message: "expected \(call.details.count) status detail(s) (grpc-status-details-bin), got \(details.count)"))
            }
            for (i, (expected, actual)) in zip(call.details, details).enumerated() {
                out += ValueMatcher(allowUnexpectedKeys: true).match(Pattern(literal: expected), actual, at: "$.details[\(i)]")
            }
        }
        out += metadataMismatches(call.responseMetadata, metadata, section: "metadata")
        out += metadataMismatches(call.trailers, trailers, section: "trailers")
        // A failed call's messages are not compared: the status says what went wrong.
        if status == call.status {
            out += messageMismatches(call.responses, received, section: "responses", complete: true)
        }
        return out
    }

    static func metadataMismatches(_ expected: [HeaderSpec], _ actual: [(name: String, value: String)], section: String) -> [Mismatch] {
        HeaderMatching.match(expected, actual, section: section, noun: section == "trailers" ? "trailer" : "metadata")
    }

    static func messageMismatches(_ expected: [GRPCMessage], _ received: [JSONNode], section: String, complete: Bool) -> [Mismatch] {
        var out: [Mismatch] = []
        if received.count > expected.count || (complete && received.count < expected.count) {
            out.append(Mismatch(path: "$.\(section)", expected: "\(expected.count) message(s)", actual: "\(received.count) message(s)",
                                rule: "count", message: "expected \(expected.count) message(s), got \(received.count)"))
        }
        for (i, (message, actual)) in zip(expected, received).enumerated() {
            out += messages.match(message.pattern, actual, at: "$.\(section)[\(i)]")
        }
        return out
    }
}

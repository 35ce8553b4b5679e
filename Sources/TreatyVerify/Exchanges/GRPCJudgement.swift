import Foundation
import TreatyMatching
import TreatyModel
import TreatyWire

/// A gRPC call over libcurl HTTP/2: the request (length-prefixed messages, metadata, `te: trailers`,
/// `grpc-timeout`) and the judgement of what came back (status and message from the trailers, or
/// from the headers of a trailers-only answer; `google.rpc.Status` details; messages decoded by the
/// descriptors; per-message timing).
///
/// The request messages go out as one body once the call starts: a bidirectional call is verified
/// half-duplex (all requests, then all responses), which is what the contract's order allows.
package enum GRPCExchange {
    static func request(_ call: GRPCInteraction, extraHeaders: [(name: String, value: String)], timeout: Double,
                        generator: ValueGenerator, transcoder: ProtoJSON) -> Result<HTTPRequestData, TransportError> {
        var body: [UInt8] = []
        for (i, message) in call.requests.enumerated() {
            var bytes = message.exampleBytes
            if message.pattern.hasGenerators {
                do { bytes = try transcoder.encode(generator.render(message.pattern), as: call.inputType) } catch {
                    return .failure(TransportError(kind: .other, message: "request message \(i + 1): a generated value does not fit \(call.inputType): \(error.message)"))
                }
            }
            body += GRPCFraming.frame(bytes)
        }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/grpc"), ("TE", "trailers"), ("grpc-accept-encoding", "gzip, identity"),
            ("User-Agent", "treaty-verify"),
        ]
        // The deadline the provider sees: --timeout, in milliseconds (at most 8 digits).
        headers.append(("grpc-timeout", "\(min(99_999_999, max(1, Int(timeout * 1000))))m"))
        for spec in call.requestMetadata {
            headers.append((spec.name, spec.values.map { generator.render($0).stringValue ?? $0.example.stringValue ?? "" }.joined(separator: ", ")))
        }
        for extra in extraHeaders {
            headers.removeAll { $0.name.caseInsensitiveEquals(extra.name) }
            headers.append(extra)
        }
        return .success(HTTPRequestData(method: "POST", path: call.path, headers: headers, body: body))
    }

    /// What came back, read and judged; a response that is not gRPC at all is an error, not a mismatch.
    package struct Judgement {
        package var mismatches: [Mismatch] = []
        package var error: VerifyError?
        package var log: [String] = []
    }

    package static func judge(_ received: HTTPResponseData, _ call: GRPCInteraction, transcoder: ProtoJSON) -> Judgement {
        var judgement = Judgement()
        var response = received
        // Trailers-only: one header block carries the status, metadata and trailers together.
        if response.trailers.isEmpty, response.body.isEmpty, response.header("grpc-status") != nil {
            response.trailers = response.headers
        }
        let contentType = response.header("content-type") ?? ""
        let statusText = response.trailers.value(of: "grpc-status") ?? response.header("grpc-status")
        guard response.status == 200 else {
            judgement.error = .protocolError("HTTP status \(response.status) instead of 200: not a gRPC answer"
                               + (statusText.map { " (grpc-status \($0))" } ?? "") + "; is the provider's URL right?")
            return judgement
        }
        guard let statusText else {
            judgement.error = .protocolError("the answer has no grpc-status (no trailers): the provider ended the call without a status")
            return judgement
        }
        guard let code = Int(statusText), code >= 0 else {
            judgement.error = .protocolError("grpc-status \"\(statusText)\" is not a status code")
            return judgement
        }
        let status = GRPCStatus(code: code)
        let message = PercentEncoding.decode(Substring(response.trailers.value(of: "grpc-message") ?? response.header("grpc-message") ?? ""))
        judgement.log.append("< grpc-status: \(status.description)" + (message.isEmpty ? "" : " \(message)"))
        if !contentType.lowercased().hasPrefix("application/grpc") && !response.body.isEmpty {
            judgement.mismatches.append(Mismatch(path: "$.headers.content-type", expected: "application/grpc", actual: contentType.isEmpty ? "none" : contentType,
                                                 rule: "media type", message: "expected content-type application/grpc, got \(contentType.isEmpty ? "none" : contentType)"))
            return judgement
        }
        var details: [JSONNode] = []
        if let encoded = response.trailers.value(of: "grpc-status-details-bin") ?? response.header("grpc-status-details-bin") {
            if let bytes = Base64Text.decode(encoded), let decoded = try? GRPCStatusDetails.decode(bytes, transcoder) {
                details = decoded.details
                judgement.log.append("< details: " + JSONNode.array(details).rendered())
            } else {
                judgement.error = .protocolError("grpc-status-details-bin is not a base64 google.rpc.Status")
                return judgement
            }
        }
        // Messages: 5-byte prefix (compressed flag, big-endian length), then the message; read by
        // the same reader the mock uses for requests.
        var messages: [JSONNode] = [], times: [Double] = []
        let body = response.body
        let compressed = (response.header("grpc-encoding") ?? "identity").lowercased()
        var reader = GRPCFraming.Reader(gzipAllowed: compressed == "gzip")
        reader.append(body)
        while reader.pendingBytes > 0 {
            guard let length = reader.announcedLength else {
                judgement.error = .protocolError("the answer ends inside a message prefix (\(reader.pendingBytes) of 5 bytes)")
                return judgement
            }
            let bytes: [UInt8]
            do throws(GRPCFraming.ReadError) {
                guard let message = try reader.next() else {
                    judgement.error = .protocolError("response message \(messages.count + 1) is cut short: \(reader.pendingBytes - 5) of \(length) bytes came")
                    return judgement
                }
                bytes = message
            } catch {
                switch error {
                case .compressedWithoutEncoding:
                    judgement.error = .protocolError("response message \(messages.count + 1) is compressed, but grpc-encoding is \(compressed)")
                case .undecompressable(let reason):
                    judgement.error = .protocolError("response message \(messages.count + 1): \(reason)")
                case .tooLarge(let announced):
                    judgement.error = .protocolError("response message \(messages.count + 1) announces \(announced) bytes, "
                                                     + "over the \(GRPCFraming.maximumMessageBytes)-byte limit")
                }
                return judgement
            }
            let offset = body.count - reader.pendingBytes
            times.append(response.arrivals.first { $0.end >= offset }?.seconds ?? 0)
            do {
                messages.append(try transcoder.decode(bytes, as: call.outputType, options: .includeDefaults))
                judgement.log.append("< message \(messages.count) at \(Int(times.last! * 1000)) ms: " + String(messages.last!.rendered().prefix(500)))
            } catch {
                judgement.mismatches.append(Mismatch(path: "$.responses[\(messages.count)]", expected: call.outputType, actual: "\(length) bytes",
                                                     rule: "type", message: "response message \(messages.count + 1) is not a valid \(call.outputType): \(error.message)"))
                return judgement
            }
        }
        let metadata = response.headers.filter { !["content-type", "grpc-status", "grpc-message", "grpc-status-details-bin"].contains($0.name.lowercased()) }
        judgement.mismatches += GRPCMatching.judgeResponse(call, metadata: metadata, messages: messages, status: status, statusMessage: message,
                                                           details: details, trailers: response.trailers)
        // Per-message timing: a message with "within" must come that soon after the one before it.
        for (i, (expected, time)) in zip(call.responses, times).enumerated() {
            guard let within = expected.withinMilliseconds else { continue }
            let gap = (time - (i == 0 ? 0 : times[i - 1])) * 1000
            if gap > Double(within) {
                judgement.mismatches.append(Mismatch(path: "$.responses[\(i)]", expected: "within \(within) ms", actual: "\(Int(gap)) ms",
                                                     rule: "within", message: "response message \(i + 1) came \(Int(gap)) ms after the previous one, over \(within) ms"))
            }
        }
        return judgement
    }
}

import TreatyMatching
import TreatyModel

/// An `sse` interaction: open the stream, read events as they come (`TransferMode.stream`), stop
/// when every expected event came (or the stream ends, or `--timeout` passes), then judge the head
/// with `ResponseMatcher` and the events with `SSEMatcher`.
extension InteractionRun {
    func sseExchange(_ sse: SSEInteraction) {
        guard let (request, url) = buildRequest(sse.request, eventStream: true) else { return }
        log.request(request, url: url)
        expectCallbacks(for: request)
        let sink = StreamSink(wanted: max(1, sse.events.count), limit: options.transport.maximumBodyBytes)
        multi.start(request, to: url, mode: .stream(sink)) { [self] result, seconds in
            switch result {
            case .success(let response):
                log.line("< \(response.status) (event stream, \(Int(seconds * 1000)) ms, \(sink.endReason ?? "ended"))")
                for (name, value) in response.headers { log.line("< \(name): \(value)") }
                for event in sink.events {
                    log.line("< event \(event.type)" + (event.id.map { " id \($0)" } ?? "") + " at \(Int(event.time * 1000)) ms: "
                             + String(event.data.prefix(500)))
                }
                var mismatches = ResponseMatcher.match(response, HTTPResponseSpec(status: sse.response.status, headers: sse.response.headers))
                if sse.response.headers.first(named: "Content-Type") == nil {
                    let type = response.header("Content-Type") ?? ""
                    if !type.lowercased().hasPrefix("text/event-stream") {
                        mismatches.append(Mismatch(path: "$.headers.Content-Type", expected: "text/event-stream", actual: type.isEmpty ? "none" : type,
                                                   rule: "media type", message: "expected an event stream (text/event-stream), got " + (type.isEmpty ? "no Content-Type" : type)))
                    }
                }
                if (200..<300).contains(response.status) {
                    mismatches += SSEMatcher.match(sink.events, sse.events, ended: sink.endReason ?? "the stream ended")
                }
                conclude(.judged(mismatches))
            case .failure(let error):
                conclude(.failed(.transport(error)))
            }
        }
    }
}

import Foundation
import TreatyMatching

/// Takes an event stream as it arrives: parses events (with their arrival time) and says when
/// enough came, so the transfer stops there instead of waiting for the stream to end.
final class StreamSink {
    private var parser = SSEParser()
    private(set) var events: [SSEParser.Event] = []
    let wanted: Int
    /// The most bytes read from one stream: a provider that streams without end, or one endless
    /// line, is cut off here instead of filling memory.
    let limit: Int
    private var bytes = 0
    private let started = DispatchTime.now()
    /// Why no more events came: set when the transfer ends.
    var endReason: String?

    init(wanted: Int, limit: Int = 64 << 20) {
        self.wanted = wanted
        self.limit = limit
    }

    var satisfied: Bool { events.count >= wanted }
    var overLimit: Bool { bytes > limit }

    /// Parses `chunk`; false once every wanted event came, or the stream went over `limit`.
    func received(_ chunk: UnsafeRawBufferPointer) -> Bool {
        bytes += chunk.count
        guard !overLimit else { return false }
        let time = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        events += parser.feed(chunk, at: time)
        return !satisfied
    }
}

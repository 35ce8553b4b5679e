extension MockResponder {
    /// The events of an SSE answer, as bytes, with the gap before each.
    public struct EventStream: Sendable {
        public struct Event: Sendable {
            public let id: String?
            public let delayMilliseconds: Int
            public let bytes: [UInt8]
        }

        public let events: [Event]
        /// End the response after the last event, or keep the stream open.
        public let close: Bool

        /// The events from the one after `lastEventID` (the client reconnecting), or all of them.
        public func resuming(after lastEventID: String?) -> ArraySlice<Event> {
            guard let lastEventID, let index = events.firstIndex(where: { $0.id == lastEventID }) else { return events[...] }
            return events[(index + 1)...]
        }
    }
}

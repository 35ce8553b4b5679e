import TreatyModel

extension MockResponder {
    /// What a long-poll answer waits for.
    struct HoldPlan: Sendable {
        let hold: LongPollInteraction.Hold
        let timeoutMilliseconds: Int
        /// How the answer goes out once released (prepared, or rendered when the request came).
        let delivery: Delivery
        let timeoutAnswer: Answer

        /// How the timeout answer goes out (prepared when the contract loaded).
        var timeoutDelivery: Delivery {
            if case .deliver(let delivery, _) = timeoutAnswer.mode { return delivery }
            return .rendered
        }

        /// The registry key it waits on (nil for a timed hold).
        var key: String? {
            switch hold {
            case .duration: nil
            case .trigger(let name): "trigger:" + name
            case .call(let name): "call:" + name
            }
        }
    }
}

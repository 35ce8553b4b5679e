import NIOConcurrencyHelpers
import TreatyModel

/// The mock's run-time state for one contract: scenario states, where each response sequence is,
/// and which provider states are selected (`--state`, admin API). Shared by all connections.
public final class MockState: Sendable {
    struct Values {
        var scenarios: [String: String] = [:]
        var sequencePositions: [Int: Int] = [:]
        /// nil: every interaction is live; otherwise only those whose states are all selected.
        var selectedStates: Set<String>?

        /// Why `interaction` cannot answer now, or nil when it can.
        func unavailability(of interaction: Interaction) -> String? {
            if let selected = selectedStates {
                let missing = interaction.states.map(\.name).filter { !selected.contains($0) }
                if !missing.isEmpty {
                    return "interaction \"\(interaction.name)\" needs provider state(s) \(missing.map { "\"\($0)\"" }.joined(separator: ", ")), "
                        + "which are not selected (selected: \(selected.sorted().map { "\"\($0)\"" }.joined(separator: ", ")))"
                }
            }
            if let step = interaction.scenario, let required = step.state {
                let current = scenarios[step.name] ?? ScenarioStep.initialState
                if current != required {
                    return "interaction \"\(interaction.name)\" answers in scenario \"\(step.name)\" state \"\(required)\"; the scenario is in \"\(current)\""
                }
            }
            return nil
        }

        /// Records that `interaction` (at `position`) answered: moves its scenario and returns which
        /// response of its sequence to send.
        mutating func answered(_ interaction: Interaction, position: Int, sequenceLength: Int, repeats: Bool) -> Int {
            if let step = interaction.scenario, let next = step.next { scenarios[step.name] = next }
            guard sequenceLength > 1 else { return 0 }
            let call = sequencePositions[position, default: 0]
            sequencePositions[position] = call + 1
            return repeats ? call % sequenceLength : min(call, sequenceLength - 1)
        }
    }

    private let values: NIOLockedValueBox<Values>
    /// Long-poll requests waiting for a trigger or a call.
    public let holds = HoldRegistry()

    public init(selectedStates: Set<String>? = nil) {
        values = NIOLockedValueBox(Values(selectedStates: selectedStates))
    }

    /// Why `interaction` cannot answer now, or nil when it can.
    func unavailability(of interaction: Interaction) -> String? {
        values.withLockedValue { $0.unavailability(of: interaction) }
    }

    /// Records that `interaction` (at `position`) answered: moves its scenario and returns which
    /// response of its sequence to send.
    func answered(_ interaction: Interaction, position: Int, sequenceLength: Int, repeats: Bool) -> Int {
        values.withLockedValue { $0.answered(interaction, position: position, sequenceLength: sequenceLength, repeats: repeats) }
    }

    /// Runs `body` holding the state, so that choosing an interaction by its scenario state and
    /// moving the scenario on are one step: two connections can never both take the same step.
    func withLock<Result>(_ body: (inout Values) -> Result) -> Result {
        values.withLockedValue { body(&$0) }
    }

    public var scenarios: [String: String] { values.withLockedValue { $0.scenarios } }

    public func setScenario(_ name: String, to state: String) { values.withLockedValue { $0.scenarios[name] = state } }

    public var selectedStates: Set<String>? { values.withLockedValue { $0.selectedStates } }

    public func select(states: Set<String>?) { values.withLockedValue { $0.selectedStates = states } }

    /// Scenarios back to "Started", sequences back to their first response.
    public func reset() {
        values.withLockedValue { v in
            v.scenarios = [:]
            v.sequencePositions = [:]
        }
    }
}

import NIOConcurrencyHelpers
import TreatyModel

/// The mock's run-time state for one contract: scenario states, where each response sequence is,
/// and which provider states are selected (`--state`, admin API). Shared by all connections.
public final class MockState: Sendable {
    private struct Values {
        var scenarios: [String: String] = [:]
        var sequencePositions: [Int: Int] = [:]
        /// nil: every interaction is live; otherwise only those whose states are all selected.
        var selectedStates: Set<String>?
    }

    private let values: NIOLockedValueBox<Values>
    /// Long-poll requests waiting for a trigger or a call.
    public let holds = HoldRegistry()

    public init(selectedStates: Set<String>? = nil) {
        values = NIOLockedValueBox(Values(selectedStates: selectedStates))
    }

    /// Why `interaction` cannot answer now, or nil when it can.
    func unavailability(of interaction: Interaction) -> String? {
        values.withLockedValue { v in
            if let selected = v.selectedStates {
                let missing = interaction.states.map(\.name).filter { !selected.contains($0) }
                if !missing.isEmpty {
                    return "interaction \"\(interaction.name)\" needs provider state(s) \(missing.map { "\"\($0)\"" }.joined(separator: ", ")), "
                        + "which are not selected (selected: \(selected.sorted().map { "\"\($0)\"" }.joined(separator: ", ")))"
                }
            }
            if let step = interaction.scenario, let required = step.state {
                let current = v.scenarios[step.name] ?? ScenarioStep.initialState
                if current != required {
                    return "interaction \"\(interaction.name)\" answers in scenario \"\(step.name)\" state \"\(required)\"; the scenario is in \"\(current)\""
                }
            }
            return nil
        }
    }

    /// Records that `interaction` (at `position`) answered: moves its scenario and returns which
    /// response of its sequence to send.
    func answered(_ interaction: Interaction, position: Int, sequenceLength: Int, repeats: Bool) -> Int {
        values.withLockedValue { v in
            if let step = interaction.scenario, let next = step.next { v.scenarios[step.name] = next }
            guard sequenceLength > 1 else { return 0 }
            let call = v.sequencePositions[position, default: 0]
            v.sequencePositions[position] = call + 1
            return repeats ? call % sequenceLength : min(call, sequenceLength - 1)
        }
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

import Foundation
import TreatyMatching
import TreatyModel
import TreatyReport

/// The interactions of one contract to verify (all of them, or a selection by position).
public struct VerifyTarget: Sendable {
    public var contract: Contract
    /// Positions in `contract.interactions`, in contract order.
    public var positions: [Int]

    public init(contract: Contract, positions: [Int]? = nil) {
        self.contract = contract
        self.positions = positions ?? Array(contract.interactions.indices)
    }
}

/// A finished interaction, as the run reports it while going on.
public struct VerifyProgress: Sendable {
    public var done: Int
    public var total: Int
    /// Index of the contract in the targets, and of the interaction in the target's positions.
    public var suite: Int
    public var slot: Int
    public var result: CaseResult
    public var elapsed: Double
}

/// Replays contracts' interactions against a real provider with libcurl's multi interface and
/// judges each response with the same matching engine as the mock.
///
/// Up to `concurrency` interactions are in flight at once. Interactions without provider states
/// run freely; those with states run one at a time, in contract order, each between its own setup
/// and teardown, so one interaction's state never leaks into another's exchange. Results come back
/// in contract order whatever finished first.
public struct Verifier: Sendable {
    public let options: VerifyOptions

    public init(options: VerifyOptions) {
        self.options = options
    }

    /// Verifies every interaction of `contract`.
    public func verify(_ contract: Contract, progress: @escaping @Sendable (CaseResult) -> Void = { _ in }) async -> SuiteResult {
        await verify([VerifyTarget(contract: contract)]) { progress($0.result) }[0]
    }

    /// Verifies `targets`; `progress` is called (on the verifier's thread) as each interaction finishes.
    public func verify(_ targets: [VerifyTarget], progress: @escaping @Sendable (VerifyProgress) -> Void = { _ in }) async -> [SuiteResult] {
        let options = self.options
        let receiver = targets.contains { target in target.positions.contains { !target.contract.interactions[$0].callbacks.isEmpty } }
            ? await CallbackReceiver.start(host: options.callbackHost) : nil
        let suites: [SuiteResult] = await BlockingWork.run {
            Scheduler(targets: targets, options: options, receiver: receiver, progress: progress).execute()
        }
        await receiver?.stop()
        return suites
    }
}

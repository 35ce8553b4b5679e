import Foundation
import TreatyModel
import TreatyReport

/// One run of the verifier: builds every interaction's `InteractionRun` into two lanes, starts
/// them within `--concurrency` on libcurl's multi loop, enforces `--total-timeout`, and puts each
/// result in its slot. Everything here lives on the verifier's thread, so nothing needs a lock.
final class Scheduler {
    let targets: [VerifyTarget]
    let options: VerifyOptions
    let receiver: CallbackReceiver?
    let progress: (VerifyProgress) -> Void
    var results: [[CaseResult?]]
    var free: [InteractionRun] = []
    var stateful: [InteractionRun] = []
    var statefulRunning = false
    var running = 0
    var done = 0
    let total: Int
    let started = DispatchTime.now()

    init(targets: [VerifyTarget], options: VerifyOptions, receiver: CallbackReceiver?, progress: @escaping (VerifyProgress) -> Void) {
        self.targets = targets
        self.options = options
        self.receiver = receiver
        self.progress = progress
        results = targets.map { Array(repeating: nil, count: $0.positions.count) }
        total = targets.reduce(0) { $0 + $1.positions.count }
    }

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    func execute() -> [SuiteResult] {
        let multi: CurlMulti
        do throws(TransportError) {
            // Two per interaction: a long poll and the call that releases it run at once.
            multi = try CurlMulti(options: options.transport, maximumConnectionsPerHost: 2 * options.concurrency)
        } catch {
            return targets.map { target in
                suite(target, cases: target.positions.map { position in
                    let interaction = target.contract.interactions[position]
                    return CaseResult(name: interaction.name, kind: interaction.kind.name.displayName, duration: 0,
                                      outcome: VerifyError.preparation(error).outcome)
                })
            }
        }
        for (suiteIndex, target) in targets.enumerated() {
            let baseURL = options.baseURL(for: target.contract.provider)
            // A long poll waiting for a call, and the call, must not run beside each other's
            // kin: they share the one-at-a-time lane with interactions that need states.
            let awaited = Set(target.contract.interactions.compactMap(\.kind.awaitedCall))
            for (slot, position) in target.positions.enumerated() {
                let interaction = target.contract.interactions[position]
                let run = InteractionRun(interaction: interaction, suite: suiteIndex, slot: slot, order: free.count + stateful.count,
                                         baseURL: baseURL, options: options, receiver: receiver, multi: multi) { [unowned self] run, result in
                    finished(run, result)
                }
                let contract = target.contract
                run.interactionNamed = { name in contract.interactions.first { $0.name == name } }
                run.protobuf = contract.protobuf
                if case .tcp(let tcp) = interaction.kind, tcp.conversation.first?.side == .client {
                    run.greeting = InteractionRun.greeting(of: contract)
                }
                let exclusive = !interaction.states.isEmpty || awaited.contains(interaction.name) || interaction.kind.awaitedCall != nil
                run.exclusive = exclusive
                if exclusive { stateful.append(run) } else { free.append(run) }
            }
        }
        free.reverse()  // taken from the end: contract order
        stateful.reverse()
        fill()
        let deadline = options.totalTimeout.map { started + .milliseconds(Int($0 * 1000)) }
        var expired = false
        multi.run(while: { [self] in running > 0 }, pollMilliseconds: { [self] in inFlight.contains(where: \.isWaiting) ? 10 : 100 }) { [self] in
            if let deadline, !expired, DispatchTime.now() >= deadline {
                expired = true
                giveUp(multi)
            }
            for run in inFlight { run.tick() }
            fill()
        }
        return targets.enumerated().map { index, target in suite(target, cases: results[index].map { $0! }) }
    }

    private var inFlight: [InteractionRun] = []

    /// The overall deadline passed: what runs ends with a timeout error, what waits is not run.
    func giveUp(_ multi: CurlMulti) {
        let seconds = options.totalTimeout ?? 0
        for run in (free + stateful).reversed() {
            run.finishUnstarted(.overallTimeout(seconds: seconds, notRun: true))
        }
        free.removeAll()
        stateful.removeAll()
        let error = VerifyError.overallTimeout(seconds: seconds, notRun: false)
        multi.abortAll(TransportError(kind: .timeout, message: error.message))
        for run in inFlight { run.abandon(error) }
    }

    /// Starts interactions, in contract order as far as the lanes allow: one with states only
    /// when no other with states is running.
    func fill() {
        while running < options.concurrency {
            let nextStateful = statefulRunning ? nil : stateful.last
            if let candidate = nextStateful, free.last.map({ candidate.order < $0.order }) ?? true {
                stateful.removeLast()
                statefulRunning = true
                begin(candidate)
            } else if let next = free.popLast() {
                begin(next)
            } else {
                return
            }
        }
    }

    func begin(_ run: InteractionRun) {
        running += 1
        inFlight.append(run)
        run.begin()
    }

    func finished(_ run: InteractionRun, _ result: CaseResult) {
        if let index = inFlight.firstIndex(where: { $0 === run }) {
            inFlight.remove(at: index)
            running -= 1
            if run.exclusive { statefulRunning = false }
        }
        results[run.suite][run.slot] = result
        done += 1
        progress(VerifyProgress(done: done, total: total, suite: run.suite, slot: run.slot, result: result, elapsed: elapsed))
    }

    /// `treaty 1`, or `pact 3` for a Pact file (its specification version).
    static func format(of contract: Contract) -> String {
        switch contract.origin {
        case .treaty: "treaty \(contract.formatVersion)"
        case .pact(let version): "pact \(version)"
        }
    }

    func suite(_ target: VerifyTarget, cases: [CaseResult]) -> SuiteResult {
        // JUnit adds consumer, provider and contract file; these say which format and where.
        let properties: [(name: String, value: String)] = [
            ("contract.format", Self.format(of: target.contract)),
            ("base-url", options.baseURL(for: target.contract.provider)),
        ]
        return SuiteResult(file: target.contract.file, consumer: target.contract.consumer, provider: target.contract.provider,
                           properties: properties, cases: cases)
    }
}

import Foundation
import TreatyMatching
import TreatyModel

/// The outcome of an exchange that blocks on its socket (a WebSocket conversation, JSON-RPC over
/// a WebSocket, raw TCP and UDP), set by the thread that runs it and taken by the run's `tick`.
final class ConversationResult: @unchecked Sendable {  // guarded by the lock
    private let lock = NSLock()
    private var value: (Result<[Mismatch], TransportError>, String)?
    func set(_ result: Result<[Mismatch], TransportError>, log: String) { lock.withLock { value = (result, log) } }
    func take() -> (Result<[Mismatch], TransportError>, String)? { lock.withLock { defer { value = nil }; return value } }
}

/// Exchanges that block run on a thread of their own, off the multi loop's thread, so the
/// scheduler stays single-threaded: the thread never touches the run, only its `ConversationResult`.
extension InteractionRun {
    /// Runs `work` with a new WebSocket client on a thread of its own (it blocks on the socket);
    /// `tick` picks up the outcome it leaves, with the client's log.
    func onSocketThread(_ work: @escaping @Sendable (WebSocketClient) -> Result<[Mismatch], TransportError>) {
        let client: WebSocketClient
        do throws(TransportError) {
            client = try WebSocketClient(url: baseURL, masked: log.masked)
        } catch {
            return fail(.preparation(error))
        }
        let sendable = UnsafeSendable(value: client)
        onThread {
            let client = sendable.value
            return (work(client), client.log.text)
        }
    }

    /// Runs blocking socket work on a thread of its own; `tick` picks up the outcome and log it leaves.
    func onThread(_ work: @escaping @Sendable () -> (Result<[Mismatch], TransportError>, String)) {
        conversing = true
        let box = conversation
        let thread = Thread {
            let (result, text) = work()
            box.set(result, log: text)
        }
        thread.stackSize = BlockingWork.stackBytes
        thread.start()
    }

    /// Takes the outcome of a finished blocking exchange, if one is running and done.
    func blockingExchangeEnded() {
        guard conversing, let (result, text) = conversation.take() else { return }
        conversing = false
        log.append(text)
        switch result {
        case .success(let mismatches): conclude(.judged(mismatches))
        case .failure(let error): conclude(.failed(.transport(error)))
        }
    }
}

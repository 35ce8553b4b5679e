import CCurlShim
import Foundation
import TreatyMatching
import TreatyModel

/// Runs many exchanges at once on one thread with libcurl's multi interface: `start` queues a
/// transfer with a completion, `run` drives every transfer (and those completions start) until
/// none is left. Connections are kept alive and reused between transfers to the same host.
///
/// Single-threaded by design: create, start and run it on one thread (`BlockingWork`).
final class CurlMulti {
    typealias Completion = (Result<HTTPResponseData, TransportError>, Double) -> Void

    private struct Active {
        let transfer: CurlTransfer
        let completion: Completion
        let started: DispatchTime
    }

    private let multi: UnsafeMutableRawPointer
    private var active: [UnsafeMutableRawPointer: Active] = [:]
    /// Finished handles kept for reuse (their connection cache lives in the multi handle anyway).
    private var idle: [UnsafeMutableRawPointer] = []
    let options: TransportOptions

    init(options: TransportOptions, maximumConnectionsPerHost: Int) throws(TransportError) {
        guard Curl.initialized, let multi = curl_multi_init() else {
            throw TransportError(kind: .other, message: "libcurl could not be initialised")
        }
        self.multi = multi
        self.options = options
        treaty_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, maximumConnectionsPerHost))
    }

    deinit {
        for (handle, _) in active {
            curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
        }
        for handle in idle { curl_easy_cleanup(handle) }
        curl_multi_cleanup(multi)
    }

    var inFlight: Int { active.count }

    /// Queues `request` to `url`; `completion` gets the response or the classified error and the
    /// seconds it took. It runs inside `run`, and may start further transfers.
    func start(_ request: HTTPRequestData, to url: String, mode: TransferMode = .collect, completion: @escaping Completion) {
        guard let handle = idle.popLast() ?? curl_easy_init() else {
            completion(.failure(TransportError(kind: .other, message: "libcurl could not create a transfer")), 0)
            return
        }
        curl_easy_reset(handle)
        let transfer = CurlTransfer(url: url, limit: options.maximumBodyBytes, mode: mode)
        transfer.configure(handle, request, options)
        active[handle] = Active(transfer: transfer, completion: completion, started: .now())
        curl_multi_add_handle(multi, handle)
    }

    /// Drives transfers while `busy` says so, calling `tick` after each round (at least every
    /// `pollMilliseconds`), where the caller starts more, checks what has no transfer (callbacks)
    /// or gives up with `abortAll`.
    func run(while busy: () -> Bool, pollMilliseconds: () -> Int32, tick: () -> Void) {
        var running: Int32 = 0
        while busy() {
            if !active.isEmpty { curl_multi_perform(multi, &running) }
            var done: [(Active, Result<HTTPResponseData, TransportError>)] = []
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                      let entry = active.removeValue(forKey: handle) else { continue }
                let code = message.pointee.data.result
                done.append((entry, entry.transfer.result(handle, code)))
                curl_multi_remove_handle(multi, handle)
                idle.append(handle)
            }
            // Completions run after the read loop: they may add handles.
            for (entry, result) in done {
                entry.completion(result, Double(DispatchTime.now().uptimeNanoseconds - entry.started.uptimeNanoseconds) / 1e9)
            }
            tick()
            guard busy() else { break }
            if done.isEmpty { curl_multi_poll(multi, nil, 0, Int32(pollMilliseconds()), nil) }
        }
    }

    /// Ends every active transfer with `error` (the overall deadline passed).
    func abortAll(_ error: TransportError) {
        let entries = active
        active.removeAll()
        for (handle, entry) in entries {
            curl_multi_remove_handle(multi, handle)
            idle.append(handle)
            entry.completion(.failure(TransportError(kind: error.kind, message: entry.transfer.url + ": " + error.message)),
                             Double(DispatchTime.now().uptimeNanoseconds - entry.started.uptimeNanoseconds) / 1e9)
        }
    }
}

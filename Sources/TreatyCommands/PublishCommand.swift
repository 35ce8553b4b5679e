import ArgumentParser
import Foundation
import TreatyMatching
import TreatyModel
import TreatyVerify

/// `treaty publish --admin URL --interaction NAME`: asks a running `treaty mock` to publish a
/// message interaction to its subscribers (`GET /_treaty/messages` on the contract's port) and,
/// with `--to`, as a webhook.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish a contract's message through a running treaty mock (to its subscribers, and to --to as a webhook).",
        discussion: "Exit codes: 0 published, 1 the mock refused (unknown interaction), 2 usage or connection errors."
    )

    @Option(help: "The running mock's admin API, such as http://127.0.0.1:9099 (treaty mock --admin-port).")
    var admin: String

    @Option(help: "The message interaction to publish, by name.")
    var interaction: String

    @Option(help: "The contract file, when several served contracts have a message of that name.")
    var contract: String?

    @Option(help: "Also POST the message to this URL (a webhook); its delivery shows in GET /callbacks.")
    var to: String?

    @Option(help: "Environment variable holding the admin API's bearer token.")
    var adminTokenEnv: String = "TREATY_ADMIN_TOKEN"

    func validate() throws {
        guard admin.hasPrefix("http://") || admin.hasPrefix("https://") else { throw ValidationError("--admin must be an http:// URL, got \(admin)") }
        if let to, !(to.hasPrefix("http://") || to.hasPrefix("https://")) { throw ValidationError("--to must be an http:// or https:// URL") }
    }

    func run() async throws {
        var members: [(String, JSONNode)] = [("interaction", .string(interaction))]
        if let contract { members.append(("contract", .string(contract))) }
        if let to { members.append(("to", .string(to))) }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let token = ProcessInfo.processInfo.environment[adminTokenEnv], !token.isEmpty { headers.append(("Authorization", "Bearer \(token)")) }
        var base = admin
        while base.hasSuffix("/") { base.removeLast() }
        let request = HTTPRequestData(method: "POST", target: "/messages/publish", headers: headers, body: JSONNode.object(members).renderedBytes())
        switch await HTTPCall.send(request, to: base + "/messages/publish") {
        case .failure(let error):
            Terminal.err("treaty publish: error: \(error.message). Is treaty mock running with --admin-port?")
            throw ExitCode(2)
        case .success(let response):
            let answer = try? JSONParser.parse(response.body).root
            guard response.status == 200, let answer else {
                Terminal.err("treaty publish: " + (answer?["error"]?.stringValue ?? "the admin API answered \(response.status)"))
                throw ExitCode(response.status == 401 ? 2 : 1)
            }
            let subscribers = answer["subscribers"]?.numberValue?.intValue ?? 0
            var line = "published \"\(interaction)\" of \(answer["contract"]?.stringValue ?? "?") to \(plural(subscribers, "subscriber"))"
            if let webhook = answer["webhook"]?.stringValue { line += " and to \(webhook) (delivery in GET \(base)/callbacks)" }
            Terminal.out(line)
        }
    }
}

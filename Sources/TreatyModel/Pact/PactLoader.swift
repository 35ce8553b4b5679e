/// Reads Pact files (V1 to V4) into Treaty contracts: HTTP interactions, asynchronous messages and
/// synchronous messages. What Treaty cannot carry over gets a located warning, never silence.
struct PactLoader {
    let context: LoadContext

    /// Pact files have a consumer object with a name, and interactions or messages.
    static func looksLikePact(_ root: JSONNode) -> Bool {
        guard let object = root.objectValue, object["treaty"] == nil else { return false }
        let hasParties = object["consumer"]?.objectValue != nil || object["provider"]?.objectValue != nil
        return hasParties && (object["interactions"] != nil || object["messages"] != nil)
    }

    func load(_ root: JSONNode) -> Contract? {
        guard let object = root.objectValue else { return nil }
        let version = specificationVersion(object)
        let consumer = party(object, "consumer")
        let provider = party(object, "provider")

        var interactions: [Interaction] = []
        var names: [String: Int] = [:]
        for key in ["interactions", "messages"] {
            guard let list = object[key] else { continue }
            guard let elements = list.arrayValue else {
                context.error("\"\(key)\" must be an array, found \(list.typeName)", at: list.position, .root / key)
                continue
            }
            for (index, element) in elements.enumerated() {
                let pointer = JSONPointer.root / key / index
                guard var interaction = decodeInteraction(element, pointer, messages: key == "messages", version: version) else { continue }
                // Pact allows one description under several provider states; Treaty names must be unique.
                if names[interaction.name] != nil {
                    let states = interaction.states.map(\.name).joined(separator: ", ")
                    var unique = states.isEmpty ? interaction.name : "\(interaction.name) (given \(states))"
                    var n = 2
                    while names[unique] != nil {
                        unique = "\(interaction.name) #\(n)"
                        n += 1
                    }
                    interaction.name = unique
                }
                names[interaction.name] = index
                interactions.append(interaction)
            }
        }
        guard let consumer, let provider else { return nil }
        var contract = Contract(file: context.file, formatVersion: 1, consumer: consumer, provider: provider, interactions: interactions)
        contract.origin = .pact(version: version)
        return contract
    }

    func specificationVersion(_ object: JSONObject) -> Int {
        let metadata = object["metadata"]?.objectValue
        let text = metadata?["pactSpecification"]?["version"]?.stringValue
            ?? metadata?["pact-specification"]?["version"]?.stringValue
            ?? metadata?["pactSpecificationVersion"]?.stringValue
        if let major = text?.split(separator: ".").first.flatMap({ Int($0) }) {
            if !(1...4).contains(major) {
                context.warning("Pact specification version \(text!) is not one Treaty knows (1 to 4); reading it as version 4",
                                at: object["metadata"]?.position, .root / "metadata")
                return 4
            }
            return major
        }
        return object["messages"] != nil ? 3 : 2
    }

    func party(_ object: JSONObject, _ key: String) -> String? {
        guard let node = object[key] else {
            context.error("a Pact file needs \"\(key)\": {\"name\": …}", at: nil, .root)
            return nil
        }
        guard let name = node["name"]?.stringValue, !name.isEmpty else {
            context.error("\"\(key)\" must be an object with a non-empty \"name\"", at: node.position, .root / key)
            return nil
        }
        return name
    }

    func decodeInteraction(_ node: JSONNode, _ pointer: JSONPointer, messages: Bool, version: Int) -> Interaction? {
        guard let object = node.objectValue else {
            context.error("a Pact interaction must be an object, found \(node.typeName)", at: node.position, pointer)
            return nil
        }
        guard let name = object["description"]?.stringValue, !name.isEmpty else {
            context.error("a Pact interaction needs a non-empty \"description\"", at: node.position, pointer)
            return nil
        }
        let states = decodeStates(object, pointer)
        let decoder = PactHTTPDecoder(context: context)
        let type = object["type"]?.stringValue
        let kind: Interaction.Kind?
        switch type {
        case nil where messages, "Asynchronous/Messages":
            kind = decoder.decodeMessage(node, pointer).map { .message($0) }
        case "Synchronous/Messages":
            let request = object["request"].flatMap { decoder.decodeMessage($0, pointer / "request") }
            let responses = (object["response"]?.arrayValue ?? []).enumerated().compactMap {
                decoder.decodeMessage($0.element, pointer / "response" / $0.offset)
            }
            kind = request.map { .synchronousMessage(request: $0, responses: responses) }
        case nil, "Synchronous/HTTP":
            guard let requestNode = object["request"], let responseNode = object["response"] else {
                context.error("interaction \"\(name)\" needs a \"request\" and a \"response\"", at: node.position, pointer)
                return nil
            }
            let request = decoder.decodeRequest(requestNode, pointer / "request")
            let response = decoder.decodeResponse(responseNode, pointer / "response")
            kind = request.flatMap { request in response.map { .http(HTTPInteraction(request: request, response: $0)) } }
        default:
            context.warning("interaction \"\(name)\" has type \"\(type!)\", which Treaty does not read (plugins); skipped",
                            at: object["type"]?.position, pointer / "type")
            return nil
        }
        if object["pending"]?.boolValue == true {
            context.warning("interaction \"\(name)\" is pending in Pact; Treaty verifies it like any other",
                            at: object["pending"]?.position, pointer / "pending")
        }
        for ignored in ["interactionMarkup", "pluginConfiguration"] where object[ignored] != nil {
            context.warning("interaction \"\(name)\": \"\(ignored)\" is not carried over", at: object[ignored]?.position, pointer / ignored)
        }
        guard let kind else { return nil }
        return Interaction(name: name, states: states, kind: kind, position: node.position, pointer: pointer)
    }

    func decodeStates(_ object: JSONObject, _ pointer: JSONPointer) -> [ProviderState] {
        if let single = object["providerState"]?.stringValue ?? object["provider_state"]?.stringValue {
            return [ProviderState(name: single)]
        }
        guard let list = object["providerStates"]?.arrayValue else { return [] }
        return list.enumerated().compactMap { index, element in
            guard let name = element["name"]?.stringValue else {
                context.warning("provider state without a \"name\"; ignored", at: element.position, pointer / "providerStates" / index)
                return nil
            }
            return ProviderState(name: name, params: element["params"]?.objectValue ?? JSONObject())
        }
    }
}

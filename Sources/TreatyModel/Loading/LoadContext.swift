/// Collects diagnostics while one file is read.
final class LoadContext {
    let file: String
    let resolver: any ReferenceResolver
    private(set) var diagnostics: [Diagnostic] = []
    /// The contract's protobuf descriptors, once read (gRPC interactions need them).
    var protobuf: ProtobufSettings?
    /// The contract gave `"protobuf"` (whether or not it could be read): gRPC interactions then
    /// do not repeat the error.
    var protobufGiven = false

    init(file: String, resolver: any ReferenceResolver) {
        self.file = file
        self.resolver = resolver
    }

    func error(_ message: String, at position: SourcePosition?, _ pointer: JSONPointer) {
        diagnostics.append(Diagnostic(.error, message, file: file, position: position, pointer: pointer))
    }

    func warning(_ message: String, at position: SourcePosition?, _ pointer: JSONPointer) {
        diagnostics.append(Diagnostic(.warning, message, file: file, position: position, pointer: pointer))
    }

    func append(_ diagnostics: [Diagnostic]) { self.diagnostics += diagnostics }

    var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
}

/// Reads one JSON object's members, remembering which keys were used, so that unknown keys get a
/// warning with a "did you mean" suggestion.
struct ObjectReader {
    let object: JSONObject
    let node: JSONNode
    let pointer: JSONPointer
    let context: LoadContext
    let what: String

    /// Returns nil (after an error) when `node` is not an object.
    init?(_ node: JSONNode, _ pointer: JSONPointer, _ context: LoadContext, what: String) {
        guard let object = node.objectValue else {
            context.error("\(what) must be an object, found \(node.typeName)", at: node.position, pointer)
            return nil
        }
        self.object = object
        self.node = node
        self.pointer = pointer
        self.context = context
        self.what = what
    }

    subscript(key: String) -> JSONNode? { object[key] }

    func required(_ key: String) -> JSONNode? {
        guard let value = object[key] else {
            context.error("\(what) is missing the required key \"\(key)\"", at: node.position, pointer)
            return nil
        }
        return value
    }

    func string(_ key: String, required: Bool = false) -> String? {
        guard let value = required ? self.required(key) : object[key] else { return nil }
        guard let s = value.stringValue else {
            context.error("\"\(key)\" must be a string, found \(value.typeName)", at: value.position, pointer / key)
            return nil
        }
        return s
    }

    func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = object[key] else { return nil }
        guard let n = value.numberValue, let i = n.intValue else {
            context.error("\"\(key)\" must be an integer, found \(value.typeName == "number" ? value.rendered() : value.typeName)",
                          at: value.position, pointer / key)
            return nil
        }
        guard range.contains(i) else {
            context.error("\"\(key)\" must be between \(range.lowerBound) and \(range.upperBound), found \(i)",
                          at: value.position, pointer / key)
            return nil
        }
        return i
    }

    /// Warns about every key not in `known`.
    func checkKeys(_ known: [String]) {
        let knownSet = Set(known)
        for member in object.members where !knownSet.contains(member.key) {
            var message = "unknown key \"\(member.key)\" in \(what)"
            if let suggestion = Suggestion.closest(to: member.key, in: known) {
                message += "; did you mean \"\(suggestion)\"?"
            } else {
                message += "; known keys: " + known.filter { !$0.hasPrefix("$") }.joined(separator: ", ")
            }
            context.warning(message, at: member.keyPosition, pointer / member.key)
        }
    }
}

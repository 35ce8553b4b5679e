/// A response status given as classes or a list (`{"$statusCode": "success", "example": 201}`),
/// as Pact V4's statusCode matcher does.
public struct StatusRule: Sendable, Equatable, CustomStringConvertible {
    public enum Item: Sendable, Equatable {
        case code(Int)
        case range(String, ClosedRange<Int>)
    }

    public var items: [Item]

    public static let classes: [String: [ClosedRange<Int>]] = [
        "information": [100...199], "success": [200...299], "redirect": [300...399],
        "clientError": [400...499], "serverError": [500...599], "nonError": [100...399], "error": [400...599],
    ]

    /// Reads `"success"`, `404` or a list of them; nil with a message when one is unknown.
    public static func parse(_ node: JSONNode) -> Result<StatusRule, Problem> {
        var items: [Item] = []
        for element in node.arrayValue ?? [node] {
            if let code = element.numberValue?.intValue, (100...599).contains(code) {
                items.append(.code(code))
            } else if let name = element.stringValue, let ranges = classes[name] {
                items += ranges.map { .range(name, $0) }
            } else {
                return .failure(Problem(message: "\(element.rendered()) is neither a status code nor one of "
                                        + classes.keys.sorted().joined(separator: ", ")))
            }
        }
        return items.isEmpty ? .failure(Problem(message: "no status given")) : .success(StatusRule(items: items))
    }

    public struct Problem: Error, Hashable, Sendable {
        public var message: String
    }

    public func allows(_ status: Int) -> Bool {
        items.contains { item in
            switch item {
            case .code(let c): c == status
            case .range(_, let r): r.contains(status)
            }
        }
    }

    public var description: String {
        var seen = Set<String>()
        return items.compactMap { item -> String? in
            let text: String
            switch item {
            case .code(let c): text = String(c)
            case .range(let name, _): text = name
            }
            return seen.insert(text).inserted ? text : nil
        }.joined(separator: " or ")
    }
}

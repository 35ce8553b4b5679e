import TreatyModel

/// Finds the interaction for a request without scanning the contract: literal paths by hash
/// lookup on (method, path), matcher paths from a per-method list. Among candidates the first (in
/// contract order) that matches fully wins; when none does, the nearest miss is reported.
public struct InteractionIndex: Sendable {
    public enum Selection: Sendable {
        case matched(Int)
        /// No interaction matched; `nearest` is the closest one with its mismatches (nil for an empty contract).
        case unmatched(nearest: Int?, mismatches: [Mismatch])
    }

    private struct Entry: Sendable {
        let position: Int
        let spec: HTTPRequestSpec
        /// Method and literal path only: a hash hit on both is a match when the request has no query.
        let bare: Bool

        init(position: Int, spec: HTTPRequestSpec) {
            self.position = position
            self.spec = spec
            if case .string = spec.path {
                bare = spec.query.isEmpty && spec.headers.isEmpty && spec.body == nil
            } else {
                bare = false
            }
        }
    }

    private var literal: [String: [String: [Entry]]] = [:]
    private var patterned: [String: [Entry]] = [:]
    /// Per method, the contract position of the first interaction whose path is a matcher.
    private var firstPatterned: [String: Int] = [:]
    private let all: [Entry]
    /// Method → literal path → position, for paths whose first interaction constrains nothing but
    /// method and path and comes before every matcher-path interaction: answered from the hash alone.
    private var bareHits: [String: [String: Int]] = [:]

    /// Positions whose availability changes at run time (scenarios, provider-state selection).
    private var constrained: Set<Int> = []

    /// Indexes the HTTP interactions of `interactions`; positions refer to that array.
    /// `constrained` positions are offered only when `select`'s availability check allows them.
    public init(_ interactions: [Interaction], constrained: Set<Int> = []) {
        self.constrained = constrained
        var all: [Entry] = []
        for (position, interaction) in interactions.enumerated() {
            guard let spec = interaction.kind.openingRequest else { continue }
            let entry = Entry(position: position, spec: spec)
            all.append(entry)
            if case .string(let path) = spec.path {
                literal[spec.method, default: [:]][path, default: []].append(entry)
            } else {
                patterned[spec.method, default: []].append(entry)
            }
        }
        self.all = all
        firstPatterned = patterned.mapValues { $0.map(\.position).min() ?? Int.max }
        for (method, paths) in literal {
            for (path, entries) in paths {
                guard let first = entries.first, first.bare, !constrained.contains(first.position),
                      (firstPatterned[method] ?? Int.max) > first.position else { continue }
                bareHits[method, default: [:]][path] = first.position
            }
        }
    }

    /// Picks the interaction for `request`. `unavailable` says why a constrained position cannot
    /// answer now (nil when it can); such candidates are skipped and reported as the nearest miss.
    public func select(_ request: HTTPRequestData, unavailable: (Int) -> String? = { _ in nil }) -> Selection {
        let method = request.method.uppercased()
        let path = PercentEncoding.decode(Substring(request.path))
        if request.query.isEmpty, let position = bareHits[method]?[path] { return .matched(position) }
        var candidates = literal[method]?[path] ?? []
        if let more = patterned[method] {
            candidates = (candidates + more).sorted { $0.position < $1.position }
        }
        var best: (position: Int, mismatches: [Mismatch], score: Int)?
        for entry in candidates {
            var mismatches = RequestMatcher.match(request, entry.spec)
            if mismatches.isEmpty, constrained.contains(entry.position), let reason = unavailable(entry.position) {
                mismatches = [Mismatch(path: "$.state", expected: "available", actual: "unavailable", rule: "state", message: reason)]
            }
            if mismatches.isEmpty { return .matched(entry.position) }
            let score = Self.score(mismatches)
            if best == nil || score < best!.score { best = (entry.position, mismatches, score) }
        }
        if best == nil {
            for entry in all {
                let mismatches = RequestMatcher.match(request, entry.spec)
                let score = Self.score(mismatches)
                if best == nil || score < best!.score { best = (entry.position, mismatches, score) }
            }
        }
        return .unmatched(nearest: best?.position, mismatches: best?.mismatches ?? [])
    }

    /// Lower is nearer: a wrong path weighs more than a wrong method, which weighs more than details.
    static func score(_ mismatches: [Mismatch]) -> Int {
        mismatches.reduce(0) { total, m in
            total + (m.path == "$.path" ? 1000 : m.path == "$.method" ? 100 : 1)
        }
    }
}

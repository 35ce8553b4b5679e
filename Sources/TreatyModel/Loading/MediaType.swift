/// Media type helpers shared by loaders and matchers.
public enum MediaType {
    /// `application/json`, `application/problem+json`, `application/vnd.x+json; charset=utf-8`, …
    public static func isJSON(_ contentType: String) -> Bool {
        let essence = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters() } ?? ""
        let lowered = essence.lowercased()
        return lowered == "application/json" || lowered.hasSuffix("+json") || lowered == "text/json"
    }
}

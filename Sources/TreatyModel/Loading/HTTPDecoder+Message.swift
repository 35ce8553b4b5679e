/// `message` interactions: contents and metadata.
extension HTTPDecoder {
    /// `{"body" | "bodyFile": …, "contentType": "application/json", "metadata": {"topic": "orders", …}}`
    func decodeMessage(_ node: JSONNode, _ pointer: JSONPointer) -> MessageSpec? {
        guard let reader = ObjectReader(node, pointer, context, what: "a message") else { return nil }
        reader.checkKeys(["body", "bodyFile", "compare", "contentType", "metadata"])
        var metadata = reader["metadata"].map { decodeNamedValues($0, pointer / "metadata", what: "metadata entry") } ?? []
        let contentType = reader.string("contentType")
        if let contentType {
            metadata.removeAll { $0.name == "contentType" }
            metadata.append(HeaderSpec("contentType", contentType))
        }
        if reader["body"] == nil && reader["bodyFile"] == nil {
            context.error("a message needs \"body\" (or \"bodyFile\"): its contents", at: node.position, pointer)
            return nil
        }
        let body = decodeBody(reader, headers: contentType.map { [HeaderSpec("Content-Type", $0)] } ?? [], allowMultipart: false)
        return MessageSpec(contents: body, metadata: metadata)
    }
}

/// How a transfer takes the provider's answer, and which HTTP version it asks for.
enum TransferMode {
    /// The body collected whole, up to the transfer's limit (`response-too-large` past it).
    case collect
    /// The body handed to `StreamSink` as it arrives (an event stream); the transfer stops once the
    /// sink has every event it wants, and a stream that answered is judged however it ended.
    case stream(StreamSink)
    /// A gRPC call: HTTP/2 whatever the options say (prior knowledge for `http://`, on a fresh
    /// connection), the body collected with the time each chunk arrived (for `within`).
    case grpc
}

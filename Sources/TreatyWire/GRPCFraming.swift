import TreatyCompression

/// gRPC's length-prefixed messages, for both sides: a compressed flag, a 4-byte big-endian length,
/// the message. The mock reads requests and writes answers with it; the verifier writes requests and
/// reads answers. Each side words the errors for its own reader.
public enum GRPCFraming {
    /// The largest message either side accepts (gRPC's default receive limit), also after gunzip.
    public static let maximumMessageBytes = 4 * 1024 * 1024

    /// One framed message; with `compress`, gzipped and flagged (as it is when gzip fails).
    public static func frame(_ message: [UInt8], compress: Bool = false) -> [UInt8] {
        var payload = message, flag: UInt8 = 0
        if compress, let compressed = try? Gzip.compress(message) {
            payload = compressed
            flag = 1
        }
        let n = UInt32(payload.count)
        return [flag, UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
            + payload
    }

    /// Why a message could not be read.
    public enum ReadError: Error, Equatable, Sendable {
        /// The prefix announces more than `maximumMessageBytes`.
        case tooLarge(announced: Int)
        /// The flag says compressed, and the call did not say how (`grpc-encoding`).
        case compressedWithoutEncoding
        /// The message does not gunzip (or gunzips past the limit); the reason.
        case undecompressable(String)
    }

    /// Reads messages from bytes that arrive in pieces (DATA frames): `append` what came, then take
    /// whole messages with `next` until it gives nil.
    public struct Reader: Sendable {
        private var buffer: [UInt8] = []
        private var start = 0
        /// Whether the call's `grpc-encoding` is gzip, so flagged messages can be gunzipped.
        public var gzipAllowed: Bool

        public init(gzipAllowed: Bool = false) { self.gzipAllowed = gzipAllowed }

        /// Bytes appended and not yet taken as whole messages (part of one, at the end).
        public var pendingBytes: Int { buffer.count - start }

        /// The length the next message announces, once its prefix came.
        public var announcedLength: Int? {
            guard pendingBytes >= 5 else { return nil }
            return buffer[(start + 1)...(start + 4)].reduce(0) { $0 << 8 | Int($1) }
        }

        public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
            if start > 0, start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            buffer.append(contentsOf: bytes)
        }

        /// The next whole message (gunzipped when flagged), nil until one has come whole; throws
        /// before taking a message that breaks the rules, so the caller can say which.
        public mutating func next() throws(ReadError) -> [UInt8]? {
            guard let length = announcedLength else { return nil }
            guard length <= GRPCFraming.maximumMessageBytes else { throw .tooLarge(announced: length) }
            guard pendingBytes >= 5 + length else { return nil }
            let compressed = buffer[start] & 1 == 1
            var message = Array(buffer[(start + 5)..<(start + 5 + length)])
            start += 5 + length
            // Whole messages are dropped from the front once a quarter of the buffer is spent.
            if start > 4096, start * 4 > buffer.count {
                buffer.removeFirst(start)
                start = 0
            }
            if compressed {
                guard gzipAllowed else { throw .compressedWithoutEncoding }
                do { message = try Gzip.decompress(message, limit: GRPCFraming.maximumMessageBytes) } catch {
                    throw .undecompressable("\(error)")
                }
            }
            return message
        }
    }
}

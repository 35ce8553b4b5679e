import CZlibShim

/// gzip over the system zlib, for gRPC's per-message compression (`grpc-encoding: gzip`).
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func compress(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let rc = bytes.withUnsafeBufferPointer { treaty_gzip($0.baseAddress, $0.count, &output, &length) }
        guard rc == 0, let output else { throw Failure(description: "gzip failed (zlib error \(rc))") }
        defer { treaty_zlib_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// Decompresses one gzip member of at most `limit` bytes.
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let rc = bytes.withUnsafeBufferPointer { treaty_gunzip($0.baseAddress, $0.count, limit, &output, &length) }
        guard rc == 0, let output else {
            throw Failure(description: rc == -100 ? "the message inflates beyond \(limit) bytes" : "not valid gzip data (zlib error \(rc))")
        }
        defer { treaty_zlib_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }
}

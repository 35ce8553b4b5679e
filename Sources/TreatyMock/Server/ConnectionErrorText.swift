import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOSSL
import NIOWebSocket

#if canImport(Glibc)
import Glibc
#endif

/// Words for the errors SwiftNIO, NIOHTTP2 and NIOSSL report about a client's connection, for the
/// mock's log lines: what the client did ("client cancelled stream 3", "client closed the TLS
/// connection without close_notify"), not the library's value (`StreamClosed(streamID:
/// HTTP2StreamID(3), errorCode: HTTP2ErrorCode<0x8 Cancel>, location: …)`). Most of these are
/// normal client behaviour: a browser cancels a stream it no longer needs, many TLS clients close
/// without close_notify.
enum ConnectionErrorText {
    /// The words for `error`, or nil when it is not one this knows.
    static func words(_ error: any Error) -> String? {
        switch error {
        case let closed as NIOHTTP2Errors.StreamClosed:
            return streamClosed(Int(closed.streamID), closed.errorCode)
        case let ssl as NIOSSLError:
            return tls(ssl)
        case let io as IOError:
            return socket(io.errnoCode)
        case let channel as ChannelError:
            switch channel {
            case .ioOnClosedChannel, .alreadyClosed, .outputClosed: return "the connection was already closed"
            case .eof, .inputClosed: return "client closed the connection"
            default: return nil
            }
        case let parser as HTTPParserError:
            return "malformed HTTP request (\(parser))"
        case let webSocket as NIOWebSocketError:
            switch webSocket {
            case .invalidFrameLength: return "client sent a WebSocket frame over the size limit"
            case .fragmentedControlFrame: return "client sent a fragmented WebSocket control frame"
            case .multiByteControlFrameLength: return "client sent a WebSocket control frame over 125 bytes"
            }
        default:
            return nil
        }
    }

    /// The words for `error`, or its own description after `fallback` ("connection closed: …").
    static func describe(_ error: any Error, fallback: String) -> String {
        words(error) ?? "\(fallback): \(error)"
    }

    /// A stream the client reset (RST_STREAM) while the mock was answering it.
    static func streamClosed(_ stream: Int, _ code: HTTP2ErrorCode) -> String {
        switch code {
        case .cancel: return "client cancelled stream \(stream)"
        case .noError: return "client closed stream \(stream)"
        case .refusedStream: return "client refused stream \(stream)"
        default: return "client reset stream \(stream) with \(http2Code(code))"
        }
    }

    /// An HTTP/2 error code by its RFC 9113 name (`PROTOCOL_ERROR`), or its number.
    static func http2Code(_ code: HTTP2ErrorCode) -> String {
        let names = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
                     "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"]
        return code.networkCode < names.count ? names[code.networkCode] : "error code \(code.networkCode)"
    }

    static func tls(_ error: NIOSSLError) -> String? {
        switch error {
        case .uncleanShutdown: return "client closed the TLS connection without close_notify"
        case .handshakeFailed(let inner): return "TLS handshake failed: " + tlsReason("\(inner)")
        case .shutdownFailed: return "TLS shutdown failed (the client went first)"
        case .readInInvalidTLSState: return "client sent data on a TLS connection that was closing"
        default: return nil
        }
    }

    /// BoringSSL's reason (`…:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN at …`) in words.
    static func tlsReason(_ description: String) -> String {
        let reasons = description.components(separatedBy: "OPENSSL_internal:").dropFirst()
            .map { String($0.prefix { $0.isUppercase || $0.isNumber || $0 == "_" }) }.filter { !$0.isEmpty }
        guard let reason = reasons.last else { return description }
        switch reason {
        case "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE", "TLSV1_ALERT_DECRYPT_ERROR":
            return "the client does not trust the mock's certificate (\(reason))"
        case "DECRYPTION_FAILED_OR_BAD_RECORD_MAC":
            // A TLS 1.3 client (OpenSSL's) that rejects the certificate sends its alert before it
            // encrypts with the handshake keys, so the mock sees a record it cannot decrypt.
            return "the client broke off the handshake, as a TLS 1.3 client that does not trust the mock's certificate does (\(reason))"
        case "WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG", "RECORD_TOO_LARGE":
            return "the client does not speak TLS (plain HTTP on a TLS port?) (\(reason))"
        case "NO_SHARED_CIPHER", "UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION", "NO_SHARED_GROUP":
            return "no TLS version or cipher the client and the mock share (\(reason))"
        default:
            return reason.lowercased().replacingOccurrences(of: "_", with: " ")
        }
    }

    static func socket(_ code: CInt) -> String? {
        switch code {
        case ECONNRESET: return "client reset the connection"
        case EPIPE: return "client closed the connection before the answer was written"
        case ETIMEDOUT: return "the connection timed out"
        case ECONNREFUSED: return "the peer refused the datagram (ICMP port unreachable)"
        default: return nil
        }
    }
}

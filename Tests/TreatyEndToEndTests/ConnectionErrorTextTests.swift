import Glibc
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOSSL
import NIOWebSocket
import Testing
@testable import TreatyMock

/// The mock's log lines put the library errors a client's ordinary behaviour causes in words; the
/// values here are the ones NIO, NIOHTTP2 and NIOSSL raise (the interop tests see them from real
/// clients: a cancelled HTTP/2 stream, a TLS client that closes without close_notify).
struct ConnectionErrorTextTests {
    @Test func streamResetsSayWhatTheClientDid() {
        #expect(ConnectionErrorText.words(NIOHTTP2Errors.streamClosed(streamID: 3, errorCode: .cancel)) == "client cancelled stream 3")
        #expect(ConnectionErrorText.words(NIOHTTP2Errors.streamClosed(streamID: 5, errorCode: .noError)) == "client closed stream 5")
        #expect(ConnectionErrorText.words(NIOHTTP2Errors.streamClosed(streamID: 7, errorCode: .protocolError))
                == "client reset stream 7 with PROTOCOL_ERROR")
        #expect(ConnectionErrorText.words(NIOHTTP2Errors.streamClosed(streamID: 9, errorCode: HTTP2ErrorCode(networkCode: 0x42)))
                == "client reset stream 9 with error code 66")
    }

    @Test func tlsAndSocketErrorsInWords() {
        #expect(ConnectionErrorText.words(NIOSSLError.uncleanShutdown) == "client closed the TLS connection without close_notify")
        #expect(ConnectionErrorText.words(IOError(errnoCode: ECONNRESET, reason: "read")) == "client reset the connection")
        #expect(ConnectionErrorText.words(IOError(errnoCode: EPIPE, reason: "write")) == "client closed the connection before the answer was written")
        #expect(ConnectionErrorText.words(ChannelError.ioOnClosedChannel) == "the connection was already closed")
        #expect(ConnectionErrorText.words(ChannelError.eof) == "client closed the connection")
        #expect(ConnectionErrorText.words(HTTPParserError.invalidMethod) == "malformed HTTP request (invalid HTTP method)")
        #expect(ConnectionErrorText.words(NIOWebSocketError.multiByteControlFrameLength) == "client sent a WebSocket control frame over 125 bytes")
    }

    @Test func boringSSLReasonsInWords() {
        // BoringSSLError's description, as NIOSSL prints a failed handshake's.
        let unknownCA = "sslError([Error: 268436502 error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN at /src/ssl/tls_record.cc:592])"
        #expect(ConnectionErrorText.tlsReason(unknownCA) == "the client does not trust the mock's certificate (SSLV3_ALERT_CERTIFICATE_UNKNOWN)")
        let plain = "sslError([Error: 268435612 error:1000009c:SSL routines:OPENSSL_internal:HTTP_REQUEST at /src/ssl/tls_record.cc:231])"
        #expect(ConnectionErrorText.tlsReason(plain) == "the client does not speak TLS (plain HTTP on a TLS port?) (HTTP_REQUEST)")
        // Two errors: the last names the cause.
        let tls13 = "sslError([Error: 268435568 error:10000070:SSL routines:OPENSSL_internal:BAD_PACKET_LENGTH at /x/ssl_aead_ctx.cc:242, "
            + "Error: 268435595 error:1000008b:SSL routines:OPENSSL_internal:DECRYPTION_FAILED_OR_BAD_RECORD_MAC at /x/tls_record.cc:190])"
        #expect(ConnectionErrorText.tlsReason(tls13).hasPrefix("the client broke off the handshake, as a TLS 1.3 client that does not trust"))
        let other = "sslError([Error: 1 error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_COMPRESSION_ALGORITHM at /x.cc:1])"
        #expect(ConnectionErrorText.tlsReason(other) == "unsupported compression algorithm")
        #expect(ConnectionErrorText.tlsReason("zeroReturn") == "zeroReturn")
    }

    @Test func unknownErrorsKeepTheirDescription() {
        struct Odd: Error, CustomStringConvertible { var description: String { "odd thing" } }
        #expect(ConnectionErrorText.words(Odd()) == nil)
        #expect(ConnectionErrorText.describe(Odd(), fallback: "connection closed") == "connection closed: odd thing")
        #expect(ConnectionErrorText.describe(NIOSSLError.uncleanShutdown, fallback: "connection closed")
                == "client closed the TLS connection without close_notify")
    }
}

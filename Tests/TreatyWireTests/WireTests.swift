import Testing
import TreatyCompression
import TreatyWire

/// The wire formats both sides share.
@Suite struct WireTests {
    @Test func messagesComeOutWholeHoweverTheBytesAreCut() throws {
        let messages: [[UInt8]] = [Array("first".utf8), [], Array(repeating: 7, count: 70_000), Array("last".utf8)]
        let bytes = messages.flatMap { GRPCFraming.frame($0) }
        for cut in [1, 3, 5, 4096, bytes.count] {
            var reader = GRPCFraming.Reader()
            var read: [[UInt8]] = []
            var offset = 0
            while offset < bytes.count {
                reader.append(bytes[offset..<min(bytes.count, offset + cut)])
                offset += cut
                while let message = try reader.next() { read.append(message) }
            }
            #expect(read == messages, "cut every \(cut) bytes")
            #expect(reader.pendingBytes == 0)
        }
    }

    @Test func compressedMessagesNeedTheCallToSaySo() throws {
        let framed = GRPCFraming.frame(Array("hello".utf8), compress: true)
        #expect(framed[0] == 1)
        var allowed = GRPCFraming.Reader(gzipAllowed: true)
        allowed.append(framed)
        #expect(try allowed.next() == Array("hello".utf8))
        var refused = GRPCFraming.Reader()
        refused.append(framed)
        #expect(throws: GRPCFraming.ReadError.compressedWithoutEncoding) { try refused.next() }
        var garbage = GRPCFraming.Reader(gzipAllowed: true)
        garbage.append([1, 0, 0, 0, 3, 0x61, 0x62, 0x63])
        #expect(throws: (any Error).self) { try garbage.next() }
    }

    @Test func anAnnouncedLengthOverTheLimitIsRefusedBeforeAnyBodyComes() throws {
        var reader = GRPCFraming.Reader()
        reader.append([0, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(reader.announcedLength == 4_294_967_295)
        #expect(throws: GRPCFraming.ReadError.tooLarge(announced: 4_294_967_295)) { try reader.next() }
    }

    @Test func theHandshakeAndStatusMessagesFollowTheirStandards() {
        #expect(WebSocketHandshake.accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")  // RFC 6455 §1.3
        #expect(GRPCStatusMessage.encode("no order 7: 100% gone\nüber") == "no order 7: 100%25 gone%0A%C3%BCber")
    }
}

import NIOCore
import NIOHPACK
import Testing
@testable import TernHTTP2

/// The encoder's choice of representation, byte for byte.
@Suite("HPACK encoder")
struct HPACKEncoderTests {
    /// Encodes one block of `fields` and returns it in hex.
    private func encode(_ fields: [TestField], with encoder: inout TernHPACKEncoder) -> String {
        var buffer = ByteBuffer()
        encoder.encode(TestField.headers(fields), into: &buffer)
        return hexString(buffer)
    }

    @Test("exact static matches are one indexed octet")
    func staticExactMatches() {
        var encoder = TernHPACKEncoder()
        let fields = [
            TestField(name: ":method", value: "GET"), TestField(name: ":method", value: "POST"),
            TestField(name: ":status", value: "200"), TestField(name: ":status", value: "500"),
            TestField(name: "accept-encoding", value: "gzip, deflate"), TestField(name: ":path", value: "/index.html"),
        ]
        #expect(encode(fields, with: &encoder) == "8283888e9085")
        #expect(encoder.dynamicTableCount == 0)
    }

    @Test("static names are used for literals, and repeats become dynamic indices")
    func staticNameThenDynamicIndex() {
        var encoder = TernHPACKEncoder()
        // content-type is static 31 (0x40 | 31 = 0x5f); "x" stays raw, as Huffman is no shorter.
        #expect(encode([TestField(name: "content-type", value: "x")], with: &encoder) == "5f0178")
        #expect(encode([TestField(name: "content-type", value: "x")], with: &encoder) == "be")
        // A new value for a name now in both tables still names it by its static index.
        #expect(encode([TestField(name: "content-type", value: "y")], with: &encoder) == "5f0179")
    }

    @Test("a name only in the dynamic table is named by its dynamic index")
    func dynamicNameIndex() {
        var encoder = TernHPACKEncoder()
        _ = encode([TestField(name: "x-a", value: "1")], with: &encoder)
        // Without indexing, name index 62 = 15 + 47 (0x0f 0x2f), then the raw value "2".
        #expect(encode([TestField(name: "x-a", value: "2", indexing: .nonIndexable)], with: &encoder) == "0f2f0132")
    }

    @Test("never-indexed and non-indexable fields stay literals and stay out of the table")
    func sensitiveFields() {
        var encoder = TernHPACKEncoder()
        #expect(encode([TestField(name: ":method", value: "GET", indexing: .neverIndexed)], with: &encoder) == "12" + encodedValue("GET"))
        #expect(encode([TestField(name: "password", value: "secret", indexing: .neverIndexed)], with: &encoder).hasPrefix("10"))
        #expect(encode([TestField(name: ":method", value: "GET", indexing: .nonIndexable)], with: &encoder).hasPrefix("02"))
        #expect(encoder.dynamicTableCount == 0)
        // An indexable copy of a field in the table is still sent as a literal when never-indexed.
        _ = encode([TestField(name: "x-a", value: "1")], with: &encoder)
        #expect(encode([TestField(name: "x-a", value: "1", indexing: .neverIndexed)], with: &encoder).hasPrefix("1f2f"))
    }

    @Test("per-request values and oversized entries are not indexed", arguments: [
        TestField(name: "content-length", value: "1234"),
        TestField(name: "date", value: "Mon, 21 Oct 2013 20:13:21 GMT"),
        TestField(name: ":path", value: "/search?q=1"),
        TestField(name: "x-request-id", value: "3c2b1a"),
        TestField(name: "traceparent", value: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        TestField(name: "cookie", value: String(repeating: "c", count: 3000)),
    ])
    func notIndexed(field: TestField) throws {
        var encoder = TernHPACKEncoder()
        _ = encode([field], with: &encoder)
        #expect(encoder.dynamicTableCount == 0)
        // The peer still gets the field, as a literal without indexing.
        var decoder = TernHPACKDecoder()
        var buffer = ByteBuffer()
        encoder.encode(TestField.headers([field]), into: &buffer)
        #expect(try decoder.decodeFields(&buffer) == [TestField(name: field.name, value: field.value, indexing: .nonIndexable)])
    }

    @Test("gRPC-style paths are indexed")
    func pathIndexed() {
        var encoder = TernHPACKEncoder()
        _ = encode([TestField(name: ":path", value: "/pkg.Service/Method")], with: &encoder)
        #expect(encode([TestField(name: ":path", value: "/pkg.Service/Method")], with: &encoder) == "be")
    }

    @Test("Huffman coding is used only when shorter")
    func huffmanOnlyWhenShorter() {
        var encoder = TernHPACKEncoder()
        // Control bytes have long codes: raw is shorter.
        #expect(encode([TestField(name: "x-b", value: "\u{1}\u{2}", indexing: .nonIndexable)], with: &encoder) == "0003782d62" + "020102")
    }

    // MARK: - Table size updates (RFC 7541 §4.2, §6.3)

    @Test("a smaller size is announced once, at the start of the next block")
    func sizeDecrease() {
        var encoder = TernHPACKEncoder()
        _ = encode([TestField(name: "x-a", value: "1")], with: &encoder)
        encoder.setMaxDynamicTableSize(0)
        #expect(encoder.dynamicTableCount == 0)
        #expect(encode([TestField(name: ":method", value: "GET")], with: &encoder) == "2082")
        #expect(encode([TestField(name: ":method", value: "GET")], with: &encoder) == "82")
    }

    @Test("down then up announces the low point, then the final size")
    func sizeDownThenUp() {
        var encoder = TernHPACKEncoder()
        encoder.setMaxDynamicTableSize(100)
        encoder.setMaxDynamicTableSize(4096)
        #expect(encode([], with: &encoder) == "3f45" + "3fe11f")
    }

    @Test("sizes above the cap change nothing and announce nothing")
    func sizeAboveCap() {
        var encoder = TernHPACKEncoder()
        encoder.setMaxDynamicTableSize(65536)
        #expect(encoder.dynamicTableMaxSize == TernHPACKEncoder.maxTableSize)
        #expect(encode([TestField(name: ":method", value: "GET")], with: &encoder) == "82")
    }

    @Test("a shrink then a partial regrow announces both")
    func sizeDownThenPartlyUp() {
        var encoder = TernHPACKEncoder()
        encoder.setMaxDynamicTableSize(0)
        encoder.setMaxDynamicTableSize(256)
        encoder.setMaxDynamicTableSize(128)
        #expect(encode([], with: &encoder) == "20" + "3f61")
        #expect(encoder.dynamicTableMaxSize == 128)
    }

    /// The Huffman or raw literal the encoder writes for `text`, in hex.
    private func encodedValue(_ text: String) -> String {
        var buffer = ByteBuffer()
        text.utf8.withContiguousStorageIfAvailable { buffer.writeHPACKString(UnsafeRawBufferPointer($0)) }
        return hexString(buffer)
    }
}

import NIOCore
import NIOHPACK
import Testing
@testable import TernHTTP2

/// The header list size limit (RFC 9113 §6.5.2): over-limit blocks give `.tooLarge` and leave
/// the decoder in step for the next block.
@Suite("HPACK header list size limit")
struct HPACKTooLargeTests {
    /// Encodes `fields` with `encoder` and decodes them with `decoder` under `limit`.
    private func roundTrip(
        _ fields: [TestField], _ encoder: inout TernHPACKEncoder, _ decoder: inout TernHPACKDecoder, limit: Int
    ) throws -> HPACKDecodeResult {
        var buffer = ByteBuffer()
        encoder.encode(TestField.headers(fields), into: &buffer)
        let result = try decoder.decode(&buffer, maxHeaderListSize: limit)
        #expect(buffer.readableBytes == 0)
        return result
    }

    @Test("a block over the limit is .tooLarge and the next block still decodes")
    func overLimitThenNext() throws {
        var encoder = TernHPACKEncoder()
        var decoder = TernHPACKDecoder()
        let big = [
            TestField(name: ":method", value: "GET"), TestField(name: "x-one", value: String(repeating: "a", count: 300)),
            TestField(name: "x-two", value: "small"), TestField(name: "x-never", value: "secret", indexing: .neverIndexed),
            TestField(name: "x-three", value: String(repeating: "b", count: 200)),
        ]
        guard case .tooLarge = try roundTrip(big, &encoder, &decoder, limit: 200) else {
            Issue.record("expected .tooLarge")
            return
        }
        // Fields added to the table while discarding are there: the next block refers to them.
        #expect(decoder.dynamicTableSize == encoder.dynamicTableSize)
        #expect(decoder.dynamicTableCount == 3)
        let next = [TestField(name: "x-two", value: "small"), TestField(name: "x-one", value: String(repeating: "a", count: 300))]
        guard case .headers(let headers) = try roundTrip(next, &encoder, &decoder, limit: 1000) else {
            Issue.record("expected headers")
            return
        }
        #expect(TestField.list(headers) == next)
    }

    @Test("the limit is name + value + 32 per field, and reaching it exactly is fine")
    func exactLimit() throws {
        var decoder = TernHPACKDecoder()
        // :method GET is 7 + 3 + 32 = 42.
        var block = hexBuffer("82 82")
        guard case .headers = try decoder.decode(&block, maxHeaderListSize: 84) else {
            Issue.record("84 should fit")
            return
        }
        block = hexBuffer("82 82")
        guard case .tooLarge = try decoder.decode(&block, maxHeaderListSize: 83) else {
            Issue.record("83 should not fit")
            return
        }
    }

    @Test("repeated indexed references to a big entry count every time")
    func repeatedReferencesCount() throws {
        var decoder = TernHPACKDecoder()
        // One 1000-octet value added to the table, then referenced (0xbe) 20 times.
        var block = ByteBuffer()
        block.writeBytes(hexBytes("40 01 78"))
        let value = [UInt8](repeating: 0x61, count: 1000)
        value.withUnsafeBytes { bytes in
            block.writeHPACKInteger(bytes.count, prefixBits: 7, flags: 0)
            block.writeBytes(bytes)
        }
        block.writeBytes([UInt8](repeating: 0xBE, count: 20))
        guard case .tooLarge = try decoder.decode(&block, maxHeaderListSize: 16 * 1024) else {
            Issue.record("21 × 1033 octets must exceed 16 KiB")
            return
        }
        #expect(decoder.dynamicTableCount == 1)
    }

    @Test("errors are still found after the limit is passed")
    func errorsAfterLimit() {
        var decoder = TernHPACKDecoder()
        // A big literal, then a Huffman value with bad padding in a discarded field.
        var block = hexBuffer("04 1e" + String(repeating: "61", count: 30) + "04 81 18")
        #expect(throws: HPACKError.invalidHuffmanPadding) { _ = try decoder.decode(&block, maxHeaderListSize: 10) }
    }
}

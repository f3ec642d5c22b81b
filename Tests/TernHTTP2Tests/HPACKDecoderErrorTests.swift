import NIOCore
import Testing
@testable import TernHTTP2

/// Blocks the decoder must refuse (each a COMPRESSION_ERROR for the engine), and the table rules.
@Suite("HPACK decoder errors and table limits")
struct HPACKDecoderErrorTests {
    /// Expects decoding `hex` on `decoder` to throw `error`.
    private func expectFailure(_ hex: String, _ error: HPACKError, decoder: TernHPACKDecoder = TernHPACKDecoder()) {
        var decoder = decoder
        var block = hexBuffer(hex)
        #expect(throws: error) { _ = try decoder.decode(&block, maxHeaderListSize: 1 << 20) }
    }

    @Test("index 0 is refused")
    func zeroIndex() {
        expectFailure("80", .zeroIndex)
    }

    @Test("an index past both tables is refused, for fields and for names")
    func indexOutOfRange() throws {
        expectFailure("be", .indexOutOfRange)  // 62 with an empty dynamic table
        expectFailure("7e 01 61", .indexOutOfRange)  // literal naming index 62
        expectFailure("0f 2f 01 61", .indexOutOfRange)  // without indexing, name index 62
        // With one entry, 62 is fine and 63 is not.
        var decoder = TernHPACKDecoder()
        _ = try decoder.decodeFields("4001 6101 62")
        #expect(try decoder.decodeFields("be") == [TestField(name: "a", value: "b")])
        expectFailure("bf", .indexOutOfRange, decoder: decoder)
    }

    @Test("truncated blocks are refused", arguments: [
        "ff",  // integer promising continuation octets
        "ff 80",  // continuation octet with its continue bit set, then nothing
        "41",  // literal with its value missing
        "40 0a 6375",  // name length 10, two octets present
        "04 85 f1e3",  // Huffman value length 5, two octets present
    ])
    func truncated(hex: String) {
        expectFailure(hex, .truncated)
    }

    @Test("oversized integers are refused")
    func integerOverflow() {
        expectFailure("ff ff ff ff ff ff 7f", .integerOverflow)  // six continuation octets
        expectFailure("ff 80 80 80 80 08", .integerOverflow)  // 2^31 + 127
        expectFailure("3f 80 80 80 80 80 00", .integerOverflow)  // zero padding does not help
    }

    @Test("a size update above the advertised limit is refused")
    func sizeUpdateAboveLimit() throws {
        expectFailure("3f e2 1f", .tableSizeAboveLimit)  // 4097
        var decoder = TernHPACKDecoder()
        _ = try decoder.decodeFields("3f e1 1f")  // 4096
        #expect(decoder.dynamicTableMaxSize == 4096)
    }

    @Test("a size update after a field is refused")
    func sizeUpdateAfterField() {
        expectFailure("82 20", .tableSizeUpdateNotAtStart)
    }

    @Test("two size updates at the start are accepted, a third is refused")
    func sizeUpdateCount() throws {
        var decoder = TernHPACKDecoder()
        #expect(try decoder.decodeFields("20 3f e1 1f 82") == [TestField(name: ":method", value: "GET")])
        expectFailure("20 20 20", .tooManyTableSizeUpdates)
    }

    @Test("Huffman errors inside a block are refused")
    func huffmanErrorsInBlock() {
        expectFailure("04 81 18", .invalidHuffmanPadding)
        expectFailure("04 84 ffffffff", .huffmanEOS)
    }

    @Test("non-ASCII field names are refused (HPACKHeaders would trap on them)")
    func nonASCIIName() {
        expectFailure("40 02 c3a9 01 61", .nonASCIIName)
        expectFailure("00 01 ff 01 61", .nonASCIIName)
    }

    // MARK: - Dynamic table rules (RFC 7541 §4)

    @Test("insertion evicts oldest entries first")
    func eviction() throws {
        // 100 octets: two 34-octet entries fit, a third evicts the oldest.
        var decoder = TernHPACKDecoder(maxDynamicTableSize: 100)
        _ = try decoder.decodeFields("4001 6101 31 4001 6201 32")
        #expect(decoder.tableEntries == ["b: 2", "a: 1"])
        _ = try decoder.decodeFields("4001 6301 33 4001 6401 34")
        #expect(decoder.tableEntries == ["d: 4", "c: 3"])
        #expect(decoder.dynamicTableSize == 68)
    }

    @Test("an entry larger than the table empties it")
    func oversizedEntry() throws {
        var decoder = TernHPACKDecoder(maxDynamicTableSize: 60)
        _ = try decoder.decodeFields("4001 6101 31")
        #expect(decoder.dynamicTableCount == 1)
        let fields = try decoder.decodeFields("40 01 62 1e" + String(repeating: "78", count: 30))
        #expect(fields == [TestField(name: "b", value: String(repeating: "x", count: 30))])
        #expect(decoder.dynamicTableCount == 0)
        #expect(decoder.dynamicTableSize == 0)
    }

    @Test("a size update evicts down to the new size")
    func sizeUpdateEvicts() throws {
        var decoder = TernHPACKDecoder()
        _ = try decoder.decodeFields("4001 6101 31 4001 6201 32")
        _ = try decoder.decodeFields("3f 03")  // 34: keeps only the newest
        #expect(decoder.tableEntries == ["b: 2"])
        _ = try decoder.decodeFields("20")
        #expect(decoder.dynamicTableCount == 0)
        expectFailure("be", .indexOutOfRange, decoder: decoder)
    }

    @Test("the ring buffer keeps order across wrap-around and growth")
    func ringWrapAround() throws {
        var decoder = TernHPACKDecoder()
        var expected: [String] = []
        for i in 0..<300 {
            let value = String(i)
            var block = ByteBuffer()
            block.writeHPACKInteger(0, prefixBits: 6, flags: 0x40)
            block.writeHPACKString(UnsafeRawBufferPointer(start: nil, count: 0))
            value.utf8.withContiguousStorageIfAvailable { block.writeHPACKString(UnsafeRawBufferPointer($0)) }
            _ = try decoder.decodeFields(&block)
            expected.insert(": \(value)", at: 0)
            // 4096 / (32 + value length) entries fit.
            var size = 0
            expected = Array(expected.prefix { entry in
                size += entry.utf8.count - 2 + 32
                return size <= 4096
            })
            #expect(decoder.tableEntries == expected)
        }
    }
}

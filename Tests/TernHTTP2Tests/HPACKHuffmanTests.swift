import NIOCore
import Testing
@testable import TernHTTP2

/// The Appendix B table and the Huffman coder built from it.
@Suite("HPACK Huffman coding")
struct HPACKHuffmanTests {
    /// Codes `bytes`, as the encoder writes them.
    private func encode(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { input in
            let length = HPACKHuffmanEncoder.encodedLength(of: input)
            var output = [UInt8](repeating: 0, count: length)
            output.withUnsafeMutableBytes { HPACKHuffmanEncoder.encode(input, into: $0) }
            return output
        }
    }

    /// Decodes `coded`, as the decoder reads a Huffman literal.
    private func decode(_ coded: [UInt8]) throws -> String {
        try coded.withUnsafeBytes { bytes in
            try TernHPACKDecoder.makeString(HPACKStringLiteral(bytes: bytes, isHuffmanCoded: true))
        }
    }

    @Test("the Appendix B table is a complete canonical code")
    func tableIsCanonical() {
        let codes = HPACKHuffmanCode.codes
        let lengths = HPACKHuffmanCode.lengths.map(Int.init)
        #expect(codes.count == 257 && lengths.count == 257)
        // Canonical: ordered by (length, symbol), each code is the previous plus one, shifted to
        // its length. A mistyped code or length breaks this chain.
        let order = (0..<257).sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var expected: UInt32 = 0
        for (rank, symbol) in order.enumerated() {
            if rank > 0 {
                expected = (expected + 1) << UInt32(lengths[symbol] - lengths[order[rank - 1]])
            }
            #expect(codes[symbol] == expected, "symbol \(symbol)")
        }
        // Complete (Kraft sum exactly 1), so every bit string decodes and the tree has 256 inner nodes.
        let kraft = lengths.reduce(UInt64(0)) { $0 + (UInt64(1) << UInt64(30 - $1)) }
        #expect(kraft == UInt64(1) << 30)
        #expect(lengths[256] == 30 && codes[256] == 0x3FFF_FFFF)
    }

    @Test("every byte value round-trips, alone and together")
    func everyByteRoundTrips() throws {
        for byte in 0...255 {
            let bytes = [UInt8(byte)]
            #expect(try decode(encode(bytes)) == String(decoding: bytes, as: UTF8.self), "byte \(byte)")
        }
        let all = (0...255).map(UInt8.init)
        var decodedAll = [UInt8]()
        try encode(all).withUnsafeBytes { coded in
            var output = [UInt8](repeating: 0, count: HPACKHuffmanDecoder.maxDecodedLength(coded.count))
            let count = try output.withUnsafeMutableBufferPointer { try HPACKHuffmanDecoder.decode(coded, into: $0.baseAddress!) }
            decodedAll = Array(output.prefix(count))
        }
        #expect(decodedAll == all)
    }

    @Test("random strings round-trip", arguments: [1, 2, 3])
    func randomStringsRoundTrip(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<500 {
            let length = Int.random(in: 0...64, using: &random)
            // Mostly printable ASCII, like real fields, with some arbitrary bytes.
            let bytes = (0..<length).map { _ in
                Bool.random(using: &random) ? UInt8.random(in: 0x20...0x7E, using: &random) : UInt8.random(in: 0...255, using: &random)
            }
            let coded = encode(bytes)
            let measured = try coded.withUnsafeBytes { try HPACKHuffmanDecoder.decode($0, into: nil) }
            #expect(measured == bytes.count)
            #expect(try decode(coded) == String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("the Huffman strings of Appendix C.4 and C.6 decode and re-encode exactly", arguments: [
        ("f1e3c2e5f23a6ba0ab90f4ff", "www.example.com"),
        ("a8eb10649cbf", "no-cache"),
        ("25a849e95ba97d7f", "custom-key"),
        ("25a849e95bb8e8b4bf", "custom-value"),
        ("6402", "302"),
        ("aec3771a4b", "private"),
        ("d07abe941054d444a8200595040b8166e082a62d1bff", "Mon, 21 Oct 2013 20:13:21 GMT"),
        ("9d29ad171863c78f0b97c8e9ae82ae43d3", "https://www.example.com"),
        ("640eff", "307"),
        ("d07abe941054d444a8200595040b8166e084a62d1bff", "Mon, 21 Oct 2013 20:13:22 GMT"),
        ("9bd9ab", "gzip"),
        ("94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
         "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"),
    ])
    func appendixCStrings(hex: String, text: String) throws {
        #expect(try decode(hexBytes(hex)) == text)
        #expect(encode(Array(text.utf8)) == hexBytes(hex))
    }

    // MARK: - Errors (RFC 7541 §5.2)

    @Test("padding longer than 7 bits is refused")
    func longPadding() throws {
        // 'a' is 00011; three ones pad the first octet, then a whole octet of ones: 11 bits.
        #expect(throws: HPACKError.invalidHuffmanPadding) { try decode([0x1F, 0xFF]) }
        #expect(try decode([0x1F]) == "a")
    }

    @Test("padding that is not all ones is refused")
    func zeroPadding() {
        #expect(throws: HPACKError.invalidHuffmanPadding) { try decode([0x18]) }
        #expect(throws: HPACKError.invalidHuffmanPadding) { try decode([0x1D]) }
    }

    @Test("an EOS symbol in the string is refused")
    func endOfStringSymbol() {
        // 30 ones (EOS) then two more ones of padding.
        #expect(throws: HPACKError.huffmanEOS) { try decode([0xFF, 0xFF, 0xFF, 0xFF]) }
        // 'a', then EOS, then padding.
        #expect(throws: HPACKError.huffmanEOS) { try decode([0x1F, 0xFF, 0xFF, 0xFF, 0xFF]) }
    }
}

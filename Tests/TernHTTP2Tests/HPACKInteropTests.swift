import NIOCore
import NIOHPACK
import Testing
@testable import TernHTTP2

/// NIOHPACK's coder as an independent peer: our encoder to its decoder and its encoder to ours.
@Suite("HPACK interop with NIOHPACK")
struct HPACKInteropTests {
    @Test("Tern encoder → NIOHPACK decoder", arguments: [21, 22, 23])
    func ternToNIO(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var encoder = TernHPACKEncoder()
        var decoder = NIOHPACKDecoder(allocator: ByteBufferAllocator(), maxDynamicTableSize: 4096, maxHeaderListSize: 1 << 20)
        for _ in 0..<400 {
            if Int.random(in: 0..<25, using: &random) == 0 {
                encoder.setMaxDynamicTableSize([0, 128, 1024, 4096].randomElement(using: &random)!)
            }
            let fields = RandomHeaders.block(using: &random)
            var buffer = ByteBuffer()
            encoder.encode(TestField.headers(fields), into: &buffer)
            let decoded = try decoder.decodeHeaders(from: &buffer)
            #expect(buffer.readableBytes == 0)
            try RandomHeaders.expectSame(TestField.list(decoded), fields)
        }
    }

    @Test("NIOHPACK encoder → Tern decoder", arguments: [(31, true), (32, false), (33, true)])
    func nioToTern(seed: UInt64, huffman: Bool) throws {
        var random = SeededGenerator(seed: seed)
        var encoder = NIOHPACKEncoder(allocator: ByteBufferAllocator(), useHuffmanEncoding: huffman, maxDynamicTableSize: 4096)
        var decoder = TernHPACKDecoder()
        for _ in 0..<400 {
            if Int.random(in: 0..<25, using: &random) == 0 {
                try encoder.setDynamicTableSize([0, 128, 1024, 4096].randomElement(using: &random)!)
            }
            let fields = RandomHeaders.block(using: &random)
            var buffer = ByteBuffer()
            try encoder.encode(headers: TestField.headers(fields), to: &buffer)
            let decoded = try decoder.decodeFields(&buffer)
            try RandomHeaders.expectSame(decoded, fields)
            #expect(decoder.dynamicTableSize == encoder.dynamicTableSize)
        }
    }
}

import NIOCore
import NIOHPACK
import Testing
@testable import TernHTTP2

/// Random header lists through one encoder/decoder pair over many blocks, tables kept in step.
@Suite("HPACK round trips")
struct HPACKRoundTripTests {
    @Test("random blocks round-trip with table size changes", arguments: [11, 12, 13, 14])
    func randomBlocks(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var encoder = TernHPACKEncoder()
        var decoder = TernHPACKDecoder()
        for _ in 0..<400 {
            if Int.random(in: 0..<20, using: &random) == 0 {
                let size = [0, 40, 100, 256, 1000, 4096, 8192].randomElement(using: &random)!
                encoder.setMaxDynamicTableSize(size)
                if Bool.random(using: &random) {
                    encoder.setMaxDynamicTableSize([0, 300, 4096].randomElement(using: &random)!)
                }
            }
            let fields = RandomHeaders.block(using: &random)
            var buffer = ByteBuffer()
            encoder.encode(TestField.headers(fields), into: &buffer)
            let decoded = try decoder.decodeFields(&buffer)
            try RandomHeaders.expectSame(decoded, fields)
            #expect(decoder.dynamicTableSize == encoder.dynamicTableSize)
            #expect(decoder.dynamicTableCount == encoder.dynamicTableCount)
            #expect(decoder.dynamicTableMaxSize == encoder.dynamicTableMaxSize)
        }
    }
}

/// Generates plausible header lists: static names and values, repeated custom fields (so the
/// dynamic table is exercised), fresh random values, and all three indexings.
enum RandomHeaders {
    static let names = [
        ":authority", ":path", "content-type", "user-agent", "cookie", "accept", "x-custom", "x-trace",
        "grpc-timeout", "te", "date", "content-length", "authorization", "x-request-id", "set-cookie",
    ]
    static let values = ["", "a", "application/grpc", "trailers", "/pkg.Service/Method", "gzip, deflate", "200", "GET"]

    static func block<R: RandomNumberGenerator>(using random: inout R) -> [TestField] {
        (0..<Int.random(in: 0...14, using: &random)).map { _ in field(using: &random) }
    }

    static func field<R: RandomNumberGenerator>(using random: inout R) -> TestField {
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<2:
            // An exact static entry.
            let index = Int.random(in: 0..<HPACKStaticTable.count, using: &random)
            return TestField(name: HPACKStaticTable.names[index], value: HPACKStaticTable.values[index], indexing: indexing(&random))
        case 2..<7:
            // A field from a small pool, so it repeats.
            return TestField(
                name: names.randomElement(using: &random)!, value: values.randomElement(using: &random)!,
                indexing: indexing(&random))
        default:
            // A new name or value, sometimes long enough to evict, sometimes with arbitrary bytes.
            let name = Bool.random(using: &random) ? names.randomElement(using: &random)! : "x-" + text(1...12, &random, ascii: true)
            return TestField(name: name, value: text(0...(Bool.random(using: &random) ? 40 : 700), &random, ascii: false), indexing: indexing(&random))
        }
    }

    private static func indexing<R: RandomNumberGenerator>(_ random: inout R) -> HPACKIndexing {
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return .neverIndexed
        case 1: return .nonIndexable
        default: return .indexable
        }
    }

    private static func text<R: RandomNumberGenerator>(_ lengths: ClosedRange<Int>, _ random: inout R, ascii: Bool) -> String {
        let bytes = (0..<Int.random(in: lengths, using: &random)).map { _ in
            ascii ? UInt8.random(in: 0x61...0x7A, using: &random) : UInt8.random(in: 0x20...0x7E, using: &random)
        }
        // Values may carry any text; the Strings made here are valid UTF-8 so they compare exactly.
        let extra = !ascii && Int.random(in: 0..<5, using: &random) == 0 ? "é✓" : ""
        return String(decoding: bytes, as: UTF8.self) + extra
    }

    /// Checks a decoded list against what was encoded: same names and values in order, and
    /// never-indexed fields still never-indexed (indexable ones may come back non-indexable when
    /// the encoder chose not to index them).
    static func expectSame(_ decoded: [TestField], _ sent: [TestField]) throws {
        try #require(decoded.count == sent.count)
        for (got, want) in zip(decoded, sent) {
            #expect(got.name == want.name && got.value == want.value)
            #expect((got.indexing == .neverIndexed) == (want.indexing == .neverIndexed), "\(want)")
            if want.indexing == .nonIndexable {
                #expect(got.indexing == .nonIndexable, "\(want)")
            }
        }
    }
}

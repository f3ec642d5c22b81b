import NIOCore
import NIOHPACK
import Testing
@testable import TernHTTP2

// Both modules define an HPACKEncoder and an HPACKDecoder; the tests always say which.
typealias TernHPACKDecoder = TernHTTP2.HPACKDecoder
typealias TernHPACKEncoder = TernHTTP2.HPACKEncoder
typealias NIOHPACKDecoder = NIOHPACK.HPACKDecoder
typealias NIOHPACKEncoder = NIOHPACK.HPACKEncoder

/// One decoded field, comparable in tests.
struct TestField: Equatable, CustomStringConvertible {
    var name: String
    var value: String
    var indexing: HPACKIndexing = .indexable

    var description: String { "\(name): \(value) \(indexing)" }
}

extension TestField {
    /// The fields of `headers`, in order.
    static func list(_ headers: HPACKHeaders) -> [TestField] {
        headers.map { TestField(name: $0.name, value: $0.value, indexing: $0.indexable) }
    }

    /// The fields of a decoded block, in order.
    static func list(_ fields: HTTP2Fields) -> [TestField] {
        fields.map { TestField(name: $0.name, value: $0.value, indexing: $0.indexable) }
    }

    /// `fields` as an `HPACKHeaders`.
    static func headers(_ fields: [TestField]) -> HPACKHeaders {
        var headers = HPACKHeaders()
        for field in fields {
            headers.add(name: field.name, value: field.value, indexing: field.indexing)
        }
        return headers
    }
}

/// A ByteBuffer from the hex dumps of RFC 7541 Appendix C (spaces and newlines ignored).
func hexBuffer(_ hex: String) -> ByteBuffer {
    ByteBuffer(bytes: hexBytes(hex))
}

/// Bytes from a hex string (spaces and newlines ignored).
func hexBytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter { !$0.isWhitespace }.map { UInt8(String($0), radix: 16)! }
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Lowercase hex of a buffer's readable bytes.
func hexString(_ buffer: ByteBuffer) -> String {
    let digits = Array("0123456789abcdef")
    return String(buffer.readableBytesView.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
}

extension TernHPACKDecoder {
    /// Decodes `hex` as one block with a generous list limit, expecting fields back.
    mutating func decodeFields(_ hex: String) throws -> [TestField] {
        var block = hexBuffer(hex)
        return try decodeFields(&block)
    }

    /// Decodes `block` with a generous list limit, expecting fields back.
    mutating func decodeFields(_ block: inout ByteBuffer) throws -> [TestField] {
        switch try decode(&block, maxHeaderListSize: 1 << 30) {
        case .headers(let headers):
            #expect(block.readableBytes == 0)
            return TestField.list(headers)
        case .tooLarge:
            Issue.record("unexpected .tooLarge")
            return []
        }
    }

    /// The dynamic table's entries, newest first, as "name: value".
    var tableEntries: [String] {
        (0..<table.count).map { "\(table.entry(at: $0).name): \(table.entry(at: $0).value)" }
    }
}

/// A small deterministic generator (SplitMix64), so a failing random test fails the same way again.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// Header blocks written by hand (RFC 7541): static-table references and literals without
// Huffman coding, so a test controls every byte the proxy's decoder sees.

/// Builds an HPACK header block.
public struct HPACKLiteralBlock: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// `GET <path>` over http with `:authority` — the start of every request block.
    public static func request(path: String = "/", authority: String = "localhost", method: String = "GET") -> HPACKLiteralBlock {
        var block = HPACKLiteralBlock()
        if method == "GET" { block.bytes.append(0x82) } else { block.literal(nameIndex: 2, value: method) }
        block.bytes.append(0x86)  // :scheme http
        if path == "/" { block.bytes.append(0x84) } else { block.literal(nameIndex: 4, value: path) }
        block.literal(nameIndex: 1, value: authority)
        return block
    }

    /// A literal without indexing, its name from the static table.
    public mutating func literal(nameIndex: Int, value: String) {
        bytes += Self.integer(nameIndex, prefixBits: 4, firstByte: 0)
        string(value)
    }

    /// A literal header field without indexing, new name.
    public mutating func literal(name: String, value: String) {
        bytes.append(0)
        string(name)
        string(value)
    }

    /// A literal with incremental indexing: the field enters the dynamic table (index 62).
    public mutating func indexedLiteral(name: String, value: String) {
        bytes.append(0x40)
        string(name)
        string(value)
    }

    /// A reference to table entry `index` (62 is the newest dynamic entry), `count` times.
    public mutating func indexed(_ index: Int, count: Int = 1) {
        let one = Self.integer(index, prefixBits: 7, firstByte: 0x80)
        for _ in 0..<count { bytes += one }
    }

    /// A dynamic table size update (must open the block).
    public mutating func tableSizeUpdate(_ size: Int) {
        bytes += Self.integer(size, prefixBits: 5, firstByte: 0x20)
    }

    private mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        bytes += Self.integer(utf8.count, prefixBits: 7, firstByte: 0)
        bytes += utf8
    }

    /// RFC 7541 §5.1 integer with an N-bit prefix.
    static func integer(_ value: Int, prefixBits: Int, firstByte: UInt8) -> [UInt8] {
        let max = (1 << prefixBits) - 1
        if value < max { return [firstByte | UInt8(value)] }
        var out: [UInt8] = [firstByte | UInt8(max)]
        var rest = value - max
        while rest >= 128 {
            out.append(UInt8(rest & 127) | 128)
            rest >>= 7
        }
        out.append(UInt8(rest))
        return out
    }
}

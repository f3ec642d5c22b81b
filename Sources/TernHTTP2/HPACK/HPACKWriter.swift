/// Writes the primitive types of RFC 7541 §5 into raw memory the caller has reserved.
///
/// The encoder reserves room for a whole field with one `ByteBuffer` call and writes it here;
/// `ByteBuffer.writeInteger` per octet would pay a capacity check, a uniqueness check and an
/// exclusivity check for each one.
struct HPACKWriter {
    /// Octets a field's representation needs beyond its name and value: a prefixed integer
    /// (index or name index) and two string lengths, each at most 10 octets for a 64-bit `Int`.
    static let fieldOverhead = 30

    private let output: UnsafeMutableRawBufferPointer
    /// Octets written so far.
    private(set) var count = 0
    /// Octets that may still be written.
    var available: Int { output.count - count }

    /// A writer filling `output` from its start.
    init(_ output: UnsafeMutableRawBufferPointer) {
        self.output = output
    }

    /// Writes `value` as a prefixed integer (RFC 7541 §5.1): the low `prefixBits` bits of the
    /// first octet carry the value or its start; `flags` are that octet's remaining high bits.
    @inline(__always)
    mutating func writeInteger(_ value: Int, prefixBits: Int, flags: UInt8) {
        let prefixMax = (1 << prefixBits) - 1
        if value < prefixMax {
            writeByte(flags | UInt8(truncatingIfNeeded: value))
            return
        }
        writeByte(flags | UInt8(truncatingIfNeeded: prefixMax))
        var rest = value - prefixMax
        while rest >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        writeByte(UInt8(truncatingIfNeeded: rest))
    }

    /// Writes a string literal (RFC 7541 §5.2), Huffman-coded only when that is shorter.
    mutating func writeString(_ bytes: UnsafeRawBufferPointer, huffman: Bool = true) {
        let huffmanLength = huffman ? HPACKHuffmanEncoder.encodedLength(of: bytes) : bytes.count
        guard huffmanLength < bytes.count else {
            writeInteger(bytes.count, prefixBits: 7, flags: 0x00)
            if bytes.count > 0 {
                (output.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                count += bytes.count
            }
            return
        }
        writeInteger(huffmanLength, prefixBits: 7, flags: 0x80)
        HPACKHuffmanEncoder.encode(bytes, into: UnsafeMutableRawBufferPointer(rebasing: output[count...]))
        count += huffmanLength
    }

    @inline(__always)
    private mutating func writeByte(_ byte: UInt8) {
        output[count] = byte
        count += 1
    }
}

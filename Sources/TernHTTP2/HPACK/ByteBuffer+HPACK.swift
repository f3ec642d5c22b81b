internal import NIOCore

/// The encoder's writers for the primitive types of RFC 7541 §5.
extension ByteBuffer {
    /// Writes `value` as a prefixed integer (RFC 7541 §5.1): the low `prefixBits` bits of the
    /// first octet carry the value or its start; `flags` are that octet's remaining high bits.
    @inline(__always)
    mutating func writeHPACKInteger(_ value: Int, prefixBits: Int, flags: UInt8) {
        let prefixMax = (1 << prefixBits) - 1
        if value < prefixMax {
            writeInteger(flags | UInt8(truncatingIfNeeded: value))
            return
        }
        writeInteger(flags | UInt8(truncatingIfNeeded: prefixMax))
        var rest = value - prefixMax
        while rest >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        writeInteger(UInt8(truncatingIfNeeded: rest))
    }

    /// Writes a string literal (RFC 7541 §5.2), Huffman-coded only when that is shorter.
    mutating func writeHPACKString(_ bytes: UnsafeRawBufferPointer) {
        let huffmanLength = HPACKHuffmanEncoder.encodedLength(of: bytes)
        guard huffmanLength < bytes.count else {
            writeHPACKInteger(bytes.count, prefixBits: 7, flags: 0x00)
            writeBytes(bytes)
            return
        }
        writeHPACKInteger(huffmanLength, prefixBits: 7, flags: 0x80)
        writeWithUnsafeMutableBytes(minimumWritableBytes: huffmanLength) { output in
            HPACKHuffmanEncoder.encode(bytes, into: output)
            return huffmanLength
        }
    }
}

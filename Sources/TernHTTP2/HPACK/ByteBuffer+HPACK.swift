internal import NIOCore

/// Writing HPACK into a `ByteBuffer`: room is reserved once for a whole item, which is then
/// written through `HPACKWriter`.
extension ByteBuffer {
    /// Reserves `maxLength` writable octets, lets `body` write up to that many through an
    /// `HPACKWriter`, and keeps what it wrote.
    @inline(__always)
    mutating func writeHPACK(maxLength: Int, _ body: (inout HPACKWriter) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: maxLength) { output in
            var writer = HPACKWriter(output)
            body(&writer)
            return writer.count
        }
    }

    /// Writes `value` as a prefixed integer (RFC 7541 §5.1); see `HPACKWriter.writeInteger`.
    mutating func writeHPACKInteger(_ value: Int, prefixBits: Int, flags: UInt8) {
        writeHPACK(maxLength: 10) { $0.writeInteger(value, prefixBits: prefixBits, flags: flags) }
    }

    /// Writes a string literal (RFC 7541 §5.2), Huffman-coded only when that is shorter.
    mutating func writeHPACKString(_ bytes: UnsafeRawBufferPointer) {
        writeHPACK(maxLength: 10 + bytes.count) { $0.writeString(bytes) }
    }
}

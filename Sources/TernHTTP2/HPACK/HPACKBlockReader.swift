/// A bounds-checked cursor over the bytes of one header block: the primitive types of
/// RFC 7541 §5 (prefixed integers and string literals). Every read that would run past the end
/// throws `.truncated`, so the decoder never trusts a length it was sent.
struct HPACKBlockReader {
    /// Continuation octets accepted after a full prefix. Five carry 35 bits, more than any
    /// honest length, index or table size; an endless run of 0x80 octets is refused at the sixth.
    static let maxContinuationBytes = 5
    /// Largest integer accepted (2^31 - 1): no field, index or table size comes near it, and
    /// sums of such values cannot overflow an `Int`.
    static let maxInteger = Int(Int32.max)

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whether the whole block has been read.
    var isAtEnd: Bool { position >= bytes.count }

    /// Reads one octet.
    @inline(__always)
    mutating func readByte() throws(HPACKError) -> UInt8 {
        guard position < bytes.count else { throw .truncated }
        let byte = bytes[position]
        position += 1
        return byte
    }

    /// Reads the rest of an integer whose first octet, `first`, has already been read and keeps
    /// its value in the low `prefixBits` bits (RFC 7541 §5.1).
    @inline(__always)
    mutating func readInteger(after first: UInt8, prefixBits: Int) throws(HPACKError) -> Int {
        let prefixMax = (1 << prefixBits) - 1
        let value = Int(first) & prefixMax
        guard value == prefixMax else { return value }
        return try readContinuation(base: value)
    }

    private mutating func readContinuation(base: Int) throws(HPACKError) -> Int {
        var value = base
        var shift = 0
        for _ in 0..<Self.maxContinuationBytes {
            let byte = try readByte()
            value += Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                guard value <= Self.maxInteger else { throw .integerOverflow }
                return value
            }
            shift += 7
        }
        throw .integerOverflow
    }

    /// Reads a string literal (RFC 7541 §5.2): its octets, still Huffman-coded if flagged so.
    mutating func readString() throws(HPACKError) -> HPACKStringLiteral {
        let first = try readByte()
        let length = try readInteger(after: first, prefixBits: 7)
        guard length <= bytes.count - position else { throw .truncated }
        let start = position
        position += length
        return HPACKStringLiteral(
            bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<position]),
            isHuffmanCoded: first & 0x80 != 0)
    }
}

/// A string literal as it appears in the block; valid only while the block's bytes are.
struct HPACKStringLiteral {
    /// The literal's octets as sent.
    let bytes: UnsafeRawBufferPointer
    /// Whether `bytes` are Huffman-coded (the H bit of RFC 7541 §5.2).
    let isHuffmanCoded: Bool
}

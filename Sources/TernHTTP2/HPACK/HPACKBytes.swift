/// Byte-level helpers shared by the coder: comparison, a cheap hash, and borrowing a String's
/// UTF-8 without copying. The hot path works on bytes, never on `Character`s.
enum HPACKBytes {
    /// Whether two byte ranges hold the same bytes. By words: values such as user agents and
    /// content types are tens of octets, and this runs on every table hit.
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        let count = a.count
        guard count >= 8 else {
            guard count >= 4 else {
                for i in 0..<count where a[i] != b[i] {
                    return false
                }
                return true
            }
            // Two overlapping 4-octet words cover 4 to 7 octets.
            return word32(a, 0) == word32(b, 0) && word32(a, count &- 4) == word32(b, count &- 4)
        }
        var i = 0
        while i &+ 8 < count {
            guard word64(a, i) == word64(b, i) else { return false }
            i &+= 8
        }
        // The last word may overlap the one before: the tail costs one compare, not a loop.
        return word64(a, count &- 8) == word64(b, count &- 8)
    }

    /// Whether `a` holds exactly the bytes of the literal `b`.
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: StaticString) -> Bool {
        b.withUTF8Buffer { equal(a, UnsafeRawBufferPointer($0)) }
    }

    /// Whether every byte is below 0x80.
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var any: UInt8 = 0
        for byte in bytes {
            any |= byte
        }
        return any & 0x80 == 0
    }

    /// A cheap hash of `bytes`, continuing from `seed`, eight octets per step (xor, multiply by
    /// an odd constant, fold the high half down). The encoder's dynamic-table chains and
    /// comparisons use it before bytes; a SipHash-keyed Dictionary would cost more than the
    /// whole lookup. It need not resist attack: a peer that made every field collide would only
    /// lengthen one chain of at most 128 entries.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 2_166_136_261) -> UInt32 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        let count = bytes.count
        var h = (UInt64(seed) ^ UInt64(count)) &* multiplier
        var last: UInt64
        if count >= 8 {
            var i = 0
            while i &+ 8 < count {
                h = (h ^ word64(bytes, i)) &* multiplier
                h ^= h >> 32
                i &+= 8
            }
            // As in `equal`, the last word may overlap the one before.
            last = word64(bytes, count &- 8)
        } else if count >= 4 {
            last = UInt64(word32(bytes, 0)) << 32 | UInt64(word32(bytes, count &- 4))
        } else {
            last = 0
            for byte in bytes {
                last = last << 8 | UInt64(byte)
            }
        }
        h = (h ^ last) &* multiplier
        h ^= h >> 32
        return UInt32(truncatingIfNeeded: h)
    }

    @inline(__always)
    private static func word64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    @inline(__always)
    private static func word32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    }

    /// Calls `body` with the UTF-8 bytes of `string`, borrowing them when the string is native
    /// (always, on Linux) and copying only for a bridged string.
    @inline(__always)
    static func withUTF8<R>(_ string: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = string.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        var copy = string
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}

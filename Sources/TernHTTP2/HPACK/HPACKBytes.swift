/// Byte-level helpers shared by the coder: comparison, a cheap hash, and borrowing a String's
/// UTF-8 without copying. The hot path works on bytes, never on `Character`s.
enum HPACKBytes {
    /// Whether two byte ranges hold the same bytes.
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] {
            return false
        }
        return true
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

    /// FNV-1a over `bytes`, continuing from `seed`. The encoder's dynamic-table search compares
    /// these before bytes; a SipHash-keyed Dictionary would cost more than the whole lookup.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 2_166_136_261) -> UInt32 {
        var h = seed
        for byte in bytes {
            h = (h ^ UInt32(byte)) &* 16_777_619
        }
        return h
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

#if canImport(Glibc)
import Glibc
#endif

/// The long field values of the previous message on one connection, by position. A value the
/// next message repeats byte for byte at the same position (a date within the same second, a
/// client's user agent, a content type with parameters) is taken from here: no allocation and
/// no UTF-8 validation for it. Values of 15 bytes or less are Swift small strings, made without
/// allocating, so they are not kept.
struct HTTP1ValueCache {
    /// Positions and lengths kept: a connection holds at most this much for it.
    static let positions = 8
    static let maxLength = 256

    private var values: [String?] = []

    /// The value `bytes` of the field at `position`, from the cache when it repeats.
    mutating func value(at position: Int, _ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count > 15, bytes.count <= Self.maxLength, position < Self.positions else {
            return String(decoding: bytes, as: UTF8.self)
        }
        if position < values.count, let cached = values[position], cached.utf8.count == bytes.count,
           cached.utf8.withContiguousStorageIfAvailable({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) == true {
            return cached
        }
        let value = String(decoding: bytes, as: UTF8.self)
        if values.isEmpty { values = Array(repeating: nil, count: Self.positions) }
        values[position] = value
        return value
    }
}

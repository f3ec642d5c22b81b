internal import NIOHPACK

/// Field-name checks both directions of HTTP/1.1 ⇄ HTTP/2 translation share, written to cost
/// nothing for the common name (already lower case, not connection-specific).
enum HTTP2FieldNames {
    /// `name` itself when it has no upper-case letter (the usual case): no new string.
    static func lowercased(_ name: String) -> String {
        name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? name.lowercased() : name
    }

    /// One of the connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2), for a lower-case
    /// name; the length decides first, as most names are none of these.
    static func isConnectionSpecific(_ lower: String) -> Bool {
        switch lower.utf8.count {
        case 7, 10, 16, 17:
            if let answer = lower.utf8.withContiguousStorageIfAvailable({ isConnectionSpecific(UnsafeRawBufferPointer($0)) }) {
                return answer
            }
            var copy = lower
            return copy.withUTF8 { isConnectionSpecific(UnsafeRawBufferPointer($0)) }
        default:
            return false
        }
    }

    /// The same for a name's bytes (as `HTTP2FieldWriter` has them).
    static func isConnectionSpecific(_ name: UnsafeRawBufferPointer) -> Bool {
        switch name.count {
        case 7: return equals(name, "upgrade")
        case 10: return equals(name, "connection") || equals(name, "keep-alive")
        case 16: return equals(name, "proxy-connection")
        case 17: return equals(name, "transfer-encoding")
        default: return false
        }
    }

    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { bytes.elementsEqual($0) }
    }

    /// A regular field an HTTP/2 message may carry (RFC 9113 §8.2): a lower-case token name
    /// that is not connection-specific, and a value without NUL, CR or LF.
    /// Runs over the strings' bytes in place: stepping through a `String.UTF8View` costs
    /// several times more per byte.
    static func isValidRegularField(_ name: String, _ value: String) -> Bool {
        withBytes(name) { n in
            guard n.count > 0, !isConnectionSpecific(n) else { return false }
            for byte in n where !isLowerTokenByte(byte) { return false }
            return withBytes(value) { v in
                for byte in v where byte == 0 || byte == 0x0A || byte == 0x0D { return false }
                return true
            }
        }
    }

    /// `body` over `string`'s UTF-8 bytes: in place for a native string, else over a copy.
    @inline(__always)
    static func withBytes<R>(_ string: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let r = string.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return r }
        var copy = string
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// tchar (RFC 9110 §5.6.2) without upper-case letters: ! # $ % & ' * + - . ^ _ ` | ~,
    /// digits and a-z, as two 64-bit masks (a bit test per byte instead of a chain of ranges).
    static func isLowerTokenByte(_ byte: UInt8) -> Bool {
        if byte < 64 { return (lowTokenMask >> UInt64(byte)) & 1 == 1 }
        if byte < 128 { return (highTokenMask >> UInt64(byte - 64)) & 1 == 1 }
        return false
    }

    /// Bytes 0-63: ! # $ % & ' * + - . and 0-9.
    static let lowTokenMask: UInt64 = 0x03FF_6CFA_0000_0000
    /// Bytes 64-127: ^ _ ` a-z | ~.
    static let highTokenMask: UInt64 = 0x57FF_FFFF_C000_0000

    /// A `content-length` value into `declared`: false when it is not digits or differs from
    /// one seen before (RFC 9110 §8.6; the message is then malformed).
    static func noteContentLength(_ value: String, into declared: inout Int?) -> Bool {
        guard !value.isEmpty, value.utf8.count <= 18 else { return false }
        var n = 0
        for b in value.utf8 {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return false }
            n = n * 10 + Int(b - UInt8(ascii: "0"))
        }
        if let declared, declared != n { return false }
        declared = n
        return true
    }
}

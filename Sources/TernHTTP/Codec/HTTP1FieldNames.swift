#if canImport(Glibc)
import Glibc
#endif

/// The field names most messages carry, as String literals: a parsed name spelled exactly like
/// one of these becomes that literal instead of a new String, which skips UTF-8 validation
/// and string construction (a tenth of the parser's work per field) and, for names longer than
/// 15 bytes, an allocation. Only exact spellings match, so no name changes.
enum HTTP1FieldNames {
    static func string(_ name: UnsafeRawBufferPointer) -> String {
        guard name.count > 0, let base = name.baseAddress else { return "" }
        let first = base.load(as: UInt8.self)
        let known: String? =
            switch (name.count, first) {
            case (4, UInt8(ascii: "h")): "host"
            case (4, UInt8(ascii: "H")): "Host"
            case (4, UInt8(ascii: "d")): "date"
            case (4, UInt8(ascii: "D")): "Date"
            case (4, UInt8(ascii: "v")): "vary"
            case (4, UInt8(ascii: "V")): "Vary"
            case (4, UInt8(ascii: "e")): "etag"
            case (4, UInt8(ascii: "E")): "ETag"
            case (6, UInt8(ascii: "s")): "server"
            case (6, UInt8(ascii: "S")): "Server"
            case (6, UInt8(ascii: "a")): "accept"
            case (6, UInt8(ascii: "A")): "Accept"
            case (10, UInt8(ascii: "c")): "connection"
            case (10, UInt8(ascii: "C")): "Connection"
            case (10, UInt8(ascii: "u")): "user-agent"
            case (10, UInt8(ascii: "U")): "User-Agent"
            case (12, UInt8(ascii: "c")): "content-type"
            case (12, UInt8(ascii: "C")): "Content-Type"
            case (13, UInt8(ascii: "l")): "last-modified"
            case (13, UInt8(ascii: "L")): "Last-Modified"
            case (13, UInt8(ascii: "a")): "accept-ranges"
            case (13, UInt8(ascii: "A")): "Accept-Ranges"
            case (13, UInt8(ascii: "c")): "cache-control"
            case (13, UInt8(ascii: "C")): "Cache-Control"
            case (14, UInt8(ascii: "c")): "content-length"
            case (14, UInt8(ascii: "C")): "Content-Length"
            case (15, UInt8(ascii: "a")): "accept-encoding"
            case (15, UInt8(ascii: "A")): "Accept-Encoding"
            case (17, UInt8(ascii: "t")): "transfer-encoding"
            case (17, UInt8(ascii: "T")): "Transfer-Encoding"
            default: nil
            }
        if let known, known.utf8.withContiguousStorageIfAvailable({ memcmp(base, $0.baseAddress!, name.count) == 0 }) == true {
            return known
        }
        return String(decoding: name, as: UTF8.self)
    }
}

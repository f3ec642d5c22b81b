#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1

/// The HTTP/1.1 message syntax both of Tern's parsers share (RFC 9112): finding a head's blank
/// line, reading its field lines into `HTTPHeaders` while noting what frames the body, and chunk
/// sizes. Work happens on the buffer's bytes in place; strings are made once per name and value.
enum HTTP1Syntax {
    /// A head's field lines and what they say about the body and the connection.
    struct Fields {
        var headers = HTTPHeaders()
        var contentLength: Int?
        /// Transfer-Encoding was present; whether its last coding is chunked.
        var chunked: Bool?
        var connectionClose = false
        var connectionKeepAlive = false
        var connectionUpgrade = false
        /// The connection manager's headers of interest (requests only).
        var scan = HeaderScan(rawValue: 0)

        /// The headers, leaving none behind: the head that takes them holds their only copy.
        mutating func takeHeaders() -> HTTPHeaders {
            var taken = HTTPHeaders()
            swap(&taken, &headers)
            return taken
        }
    }

    /// Runs `body` over the readable bytes, with typed errors.
    static func withBytes<T>(_ buffer: ByteBuffer,
                             _ body: (UnsafeRawBufferPointer) throws(HTTPParserError) -> T) throws(HTTPParserError) -> T {
        var error: HTTPParserError?
        let result: T? = buffer.withUnsafeReadableBytes { raw in
            do throws(HTTPParserError) {
                return try body(raw)
            } catch let e {
                error = e
                return nil
            }
        }
        guard let result else { throw error ?? .invalidInternalState }
        return result
    }

    // MARK: - blocks and lines

    /// Puts the bytes a parser held back (an incomplete head or line) in front of the new ones.
    static func resume(_ held: inout ByteBuffer?, into buffer: inout ByteBuffer) {
        guard var start = held else { return }
        held = nil
        start.writeImmutableBuffer(buffer)
        buffer = start
    }

    /// A head or trailer block without its blank line, once all of it is here.
    static func takeBlock(_ buffer: inout ByteBuffer) -> ByteBuffer? {
        let found: (body: Int, terminator: Int)? = buffer.withUnsafeReadableBytes { raw in
            var lineStart = 0
            // Line by line: an empty line (CRLF, or a bare LF as HTTP/1.1 parsers accept) ends it.
            while let lf = lineFeed(raw, from: lineStart) {
                let lineEnd = lf > lineStart && raw[lf - 1] == UInt8(ascii: "\r") ? lf - 1 : lf
                if lineEnd == lineStart { return (lineStart, lf + 1 - lineStart) }
                lineStart = lf + 1
            }
            return nil
        }
        guard let found else { return nil }
        let block = buffer.readSlice(length: found.body)!
        buffer.moveReaderIndex(forwardBy: found.terminator)
        return block
    }

    /// The offset of the first LF at or after `from`, if any.
    @inline(__always)
    static func lineFeed(_ raw: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard from < raw.count, let base = raw.baseAddress,
              let hit = memchr(base + from, Int32(UInt8(ascii: "\n")), raw.count - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// One line (a chunk size, a chunk's CRLF) without its line end, once all of it is here.
    static func takeLine(_ buffer: inout ByteBuffer) -> ByteBuffer? {
        let found: (length: Int, total: Int)? = buffer.withUnsafeReadableBytes { raw in
            var i = 0
            while i < raw.count, raw[i] != UInt8(ascii: "\n") { i += 1 }
            guard i < raw.count else { return nil }
            return (i > 0 && raw[i - 1] == UInt8(ascii: "\r") ? i - 1 : i, i + 1)
        }
        guard let found else { return nil }
        let line = buffer.getSlice(at: buffer.readerIndex, length: found.length)!
        buffer.moveReaderIndex(forwardBy: found.total)
        return line
    }

    /// The next line from `at`, without its line end (CRLF, or a bare LF).
    static func nextLine(_ raw: UnsafeRawBufferPointer, _ at: inout Int) -> Slice<UnsafeRawBufferPointer>? {
        guard at < raw.count else { return nil }
        let lf = lineFeed(raw, from: at) ?? raw.count
        var end = lf
        if end > at && raw[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = raw[at..<end]
        at = lf + 1
        return line
    }

    // MARK: - fields

    /// Field lines from `start`: `name: value`, the value trimmed of spaces and tabs. Refused:
    /// a name that is not a token (a line starting with space or tab, the obsolete folding,
    /// fails here too), space before the colon, a control character other than tab in a value,
    /// an invalid or conflicting content-length.
    static func parseFields(_ raw: UnsafeRawBufferPointer, from start: Int, scan: Bool) throws(HTTPParserError) -> Fields {
        var values = HTTP1ValueCache()
        return try parseFields(raw, from: start, scan: scan, values: &values)
    }

    /// `parseFields`, taking repeated long values from the connection's `values`.
    static func parseFields(_ raw: UnsafeRawBufferPointer, from start: Int, scan: Bool,
                            values: inout HTTP1ValueCache) throws(HTTPParserError) -> Fields {
        var out = Fields()
        var fields: [(String, String)] = []
        fields.reserveCapacity(16)
        var at = start
        while let slice = nextLine(raw, &at) {
            // Plain pointer reads: every index below stays inside the line by its loop's bound.
            let line = UnsafeRawBufferPointer(rebasing: slice)
            let count = line.count
            guard count > 0, let p = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .invalidHeaderToken }
            var colon = 0
            while colon < count, p[colon] != UInt8(ascii: ":") {
                guard isTokenByte(p[colon]) else { throw .invalidHeaderToken }
                colon += 1
            }
            guard colon < count, colon > 0 else { throw .invalidHeaderToken }
            var valueStart = colon + 1
            var valueEnd = count
            while valueStart < valueEnd, p[valueStart] == UInt8(ascii: " ") || p[valueStart] == UInt8(ascii: "\t") { valueStart += 1 }
            while valueEnd > valueStart, p[valueEnd - 1] == UInt8(ascii: " ") || p[valueEnd - 1] == UInt8(ascii: "\t") { valueEnd -= 1 }
            var i = valueStart
            while i < valueEnd {
                let b = p[i]
                if (b < 0x20 && b != UInt8(ascii: "\t")) || b == 0x7F { throw .invalidCharactersUsed }
                i += 1
            }
            let name = UnsafeRawBufferPointer(start: p, count: colon)
            let value = UnsafeRawBufferPointer(start: p + valueStart, count: valueEnd - valueStart)
            try note(name, value, in: &out)
            let nameString = HTTP1FieldNames.string(name)
            if scan {
                let bit = HeaderScan.bit(forBytes: name)
                if bit == HeaderScan.host.rawValue, out.scan.contains(.host) { out.scan.insert(.multipleHosts) }
                out.scan.insert(HeaderScan(rawValue: bit))
            }
            fields.append((nameString, values.value(at: fields.count, value)))
        }
        out.headers = HTTPHeaders(fields)
        return out
    }

    /// Framing and connection fields, as they go by.
    private static func note(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                             in out: inout Fields) throws(HTTPParserError) {
        switch name.count {
        case 10 where equalsLowercased(name, "connection"):
            forEachToken(value) { token in
                if equalsLowercased(token, "close") { out.connectionClose = true }
                if equalsLowercased(token, "keep-alive") { out.connectionKeepAlive = true }
                if equalsLowercased(token, "upgrade") { out.connectionUpgrade = true }
            }
        case 14 where equalsLowercased(name, "content-length"):
            guard value.count > 0, value.count <= 18 else { throw .invalidContentLength }
            var n = 0
            for b in value {
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { throw .invalidContentLength }
                n = n * 10 + Int(b - UInt8(ascii: "0"))
            }
            if let length = out.contentLength, length != n { throw .unexpectedContentLength }
            out.contentLength = n
        case 17 where equalsLowercased(name, "transfer-encoding"):
            // The last coding decides; `chunked` anywhere but last is not chunked framing.
            var last: UnsafeRawBufferPointer?
            forEachToken(value) { last = $0 }
            out.chunked = last.map { equalsLowercased($0, "chunked") } ?? false
        default:
            break
        }
    }

    /// Each comma-separated element of a list value, trimmed of spaces and tabs.
    static func forEachToken(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
            var a = start
            var b = end
            while a < b, value[a] == UInt8(ascii: " ") || value[a] == UInt8(ascii: "\t") { a += 1 }
            while b > a, value[b - 1] == UInt8(ascii: " ") || value[b - 1] == UInt8(ascii: "\t") { b -= 1 }
            if b > a { body(UnsafeRawBufferPointer(rebasing: value[a..<b])) }
            start = end + 1
        }
    }

    /// ASCII case-insensitive equality with a lower-case literal.
    static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        let target = lower.utf8Start
        for i in 0..<bytes.count {
            let b = bytes[i]
            let folded = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
            guard folded == target[i] else { return false }
        }
        return true
    }

    /// RFC 9110 `tchar`: ALPHA, DIGIT and `!#$%&'*+-.^_`|~`, as a bit mask per 64 byte values.
    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        let mask: UInt64
        switch b >> 6 {
        case 0: mask = 0x03FF_6CFA_0000_0000  // ! # $ % & ' * + - . 0-9
        case 1: mask = 0x57FF_FFFF_C7FF_FFFE  // A-Z ^ _ ` a-z | ~ (bit = byte - 64)
        default: return false
        }
        return mask >> (b & 63) & 1 == 1
    }

    /// `HTTP/x.y`: the version, or nil when the bytes are not one.
    static func version(_ bytes: Slice<UnsafeRawBufferPointer>) -> HTTPVersion? {
        guard bytes.count == 8 else { return nil }
        let b = bytes.startIndex
        guard bytes[b] == UInt8(ascii: "H"), bytes[b + 1] == UInt8(ascii: "T"), bytes[b + 2] == UInt8(ascii: "T"),
              bytes[b + 3] == UInt8(ascii: "P"), bytes[b + 4] == UInt8(ascii: "/"), bytes[b + 6] == UInt8(ascii: "."),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[b + 5]),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[b + 7])
        else { return nil }
        return HTTPVersion(major: Int(bytes[b + 5] - UInt8(ascii: "0")), minor: Int(bytes[b + 7] - UInt8(ascii: "0")))
    }

    /// `hex[;ext]`: the size; extensions are ignored.
    static func chunkSize(_ line: ByteBuffer) throws(HTTPParserError) -> Int {
        var size = 0
        var digits = 0
        for b in line.readableBytesView {  // a few bytes
            let d: Int
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = Int(b - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = Int(b - UInt8(ascii: "A")) + 10
            case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                guard digits > 0 else { throw .invalidChunkSize }
                return size
            default:
                throw .invalidChunkSize
            }
            digits += 1
            guard digits <= 15 else { throw .invalidChunkSize }
            size = size << 4 | d
        }
        guard digits > 0 else { throw .invalidChunkSize }
        return size
    }
}

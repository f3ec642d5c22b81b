import NIOCore
import NIOHTTP1

/// Tern's HTTP/1.1 response parser for upstream connections (RFC 9112), in place of NIO's
/// decoder handler: the connection pulls parts out of each buffer it reads, so a response head
/// reaches the router as the only copy of its headers (edited in place on the way downstream)
/// and nothing crosses the channel pipeline. Body parts are slices of the buffer read.
///
/// Framing, in RFC 9112 §6.3's order: no body after a HEAD request or for 204 and 304;
/// `Transfer-Encoding` ending in `chunked`, or any other coding (read until close); then
/// `Content-Length`; otherwise until close. Informational responses other than 101 are skipped.
/// Anything malformed is an `HTTPParserError` (the router answers 502): a bad status line, a
/// header name that is not a token or is followed by space, a value with a control character,
/// folded lines, both `Transfer-Encoding` and `Content-Length`, differing or invalid lengths, a
/// bad chunk size, or a head beyond `maxHeadBytes`.
struct HTTP1ResponseParser {
    enum Part {
        case head(HTTPResponseHead)
        case body(ByteBuffer)
        case end(HTTPHeaders?)
    }

    private enum State {
        /// No request outstanding: bytes now are not a response to anything.
        case idle
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        /// A 101 head was returned; its end comes next, then the bytes belong to the tunnel.
        case upgradeEnd
        case upgraded
    }

    /// NIO's decoder allowed 80 KiB of head; so does this one.
    static let maxHeadBytes = 80 * 1024

    private var state = State.idle
    private var headRequest = false
    /// The start of a head, trailer block or line that the next read completes.
    private var held: ByteBuffer?

    /// A request went out: its response comes next; one to HEAD has no body.
    mutating func expectResponse(to method: HTTPMethod) {
        headRequest = method == .HEAD
        state = .head
        held = nil
    }

    /// The last head allows the connection to carry another request (HTTP/1.1 without
    /// `connection: close`, HTTP/1.0 with `keep-alive`).
    private(set) var keepAlive = true

    /// The response is read until the peer closes (its end comes at EOF).
    var endsAtClose: Bool { if case .untilClose = state { true } else { false } }

    /// The peer closed: true when that ends a response read until close.
    mutating func closed() -> Bool {
        guard endsAtClose else { return false }
        state = .idle
        return true
    }

    /// The next part in `buffer` (consuming what it used), or nil when more bytes are needed.
    /// After a 101 head and its end, nil: what is left in `buffer` belongs to the tunnel.
    mutating func next(_ buffer: inout ByteBuffer) throws(HTTPParserError) -> Part? {
        if var start = held {
            held = nil
            start.writeImmutableBuffer(buffer)
            buffer = start
        }
        while true {
            switch state {
            case .idle:
                // Bytes that answer no request: the connection cannot be trusted any more.
                if buffer.readableBytes > 0 { throw .invalidInternalState }
                return nil
            case .upgraded:
                return nil
            case .upgradeEnd:
                state = .upgraded
                return .end(nil)
            case .head:
                guard var block = takeBlock(&buffer) else { return try hold(&buffer, limit: Self.maxHeadBytes) }
                guard block.readableBytes <= Self.maxHeadBytes else { throw .headerOverflow }
                let (head, framing) = try Self.parseHead(&block)
                let code = Int(head.status.code)
                if code < 200 && code != 101 { continue }  // informational: the real response follows
                if code == 101 {
                    state = .upgradeEnd
                } else if headRequest || code == 204 || code == 304 {
                    state = .fixed(remaining: 0)
                } else {
                    state = try Self.bodyState(framing)
                }
                keepAlive = head.version == .http1_1 ? !framing.connectionClose : framing.connectionKeepAlive
                return .head(head)
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .idle
                    return .end(nil)
                }
                guard buffer.readableBytes > 0 else { return nil }
                let n = min(remaining, buffer.readableBytes)
                state = .fixed(remaining: remaining - n)
                return .body(buffer.readSlice(length: n)!)
            case .untilClose:
                guard buffer.readableBytes > 0 else { return nil }
                return .body(buffer.readSlice(length: buffer.readableBytes)!)
            case .chunkSize:
                guard let line = Self.takeLine(&buffer) else { return try hold(&buffer, limit: 1024) }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard buffer.readableBytes > 0 else { return nil }
                let n = min(remaining, buffer.readableBytes)
                state = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - n)
                return .body(buffer.readSlice(length: n)!)
            case .chunkDataEnd:
                guard let line = Self.takeLine(&buffer) else { return try hold(&buffer, limit: 2) }
                guard line.readableBytes == 0 else { throw .invalidChunkSize }
                state = .chunkSize
            case .trailers:
                guard var block = takeBlock(&buffer) else { return try hold(&buffer, limit: Self.maxHeadBytes) }
                guard block.readableBytes <= Self.maxHeadBytes else { throw .headerOverflow }
                let trailers = try Self.parseTrailers(&block)
                state = .idle
                return .end(trailers.isEmpty ? nil : trailers)
            }
        }
    }

    /// Keeps an incomplete head or line for the next read (nil: more bytes are needed).
    private mutating func hold(_ buffer: inout ByteBuffer, limit: Int) throws(HTTPParserError) -> Part? {
        guard buffer.readableBytes <= limit else { throw .headerOverflow }
        if buffer.readableBytes > 0 { held = buffer.readSlice(length: buffer.readableBytes) }
        return nil
    }

    // MARK: - blocks and lines

    /// A head or trailer block without its blank line, once all of it is here.
    private func takeBlock(_ buffer: inout ByteBuffer) -> ByteBuffer? {
        let found: (body: Int, terminator: Int)? = buffer.withUnsafeReadableBytes { raw in
            var lineStart = 0
            var i = 0
            while i < raw.count {
                if raw[i] == UInt8(ascii: "\n") {
                    let lineEnd = i > lineStart && raw[i - 1] == UInt8(ascii: "\r") ? i - 1 : i
                    // An empty line (CRLF, or a bare LF as HTTP/1.1 parsers accept): the block ends.
                    if lineEnd == lineStart { return (lineStart, i + 1 - lineStart) }
                    lineStart = i + 1
                }
                i += 1
            }
            return nil
        }
        guard let found else { return nil }
        let block = buffer.readSlice(length: found.body)!
        buffer.moveReaderIndex(forwardBy: found.terminator)
        return block
    }

    /// One line (a chunk size, a chunk's CRLF) without its line end, once all of it is here.
    private static func takeLine(_ buffer: inout ByteBuffer) -> ByteBuffer? {
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

    // MARK: - heads

    /// What the head says about the connection and the body, gathered while its fields are read.
    struct Framing {
        var contentLength: Int?
        /// Transfer-Encoding was present; whether its last coding is chunked.
        var chunked: Bool?
        var connectionClose = false
        var connectionKeepAlive = false
    }

    static func parseHead(_ block: inout ByteBuffer) throws(HTTPParserError) -> (HTTPResponseHead, Framing) {
        var error: HTTPParserError?
        let parsed: (HTTPResponseHead, Framing)? = block.withUnsafeReadableBytes { raw in
            do throws(HTTPParserError) {
                return try parseHead(raw)
            } catch let e {
                error = e
                return nil
            }
        }
        guard let parsed else { throw error ?? .invalidInternalState }
        return parsed
    }

    private static func parseHead(_ raw: UnsafeRawBufferPointer) throws(HTTPParserError) -> (HTTPResponseHead, Framing) {
        var at = 0
        guard let status = nextLine(raw, &at), status.count >= 12 else { throw .invalidStatus }
        let version: HTTPVersion
        if matches(status, "HTTP/1.1 ") {
            version = .http1_1
        } else if matches(status, "HTTP/1.0 ") {
            version = .http1_0
        } else {
            throw .invalidVersion
        }
        var code = 0
        for i in 9..<12 {
            let d = status[status.startIndex + i]
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { throw .invalidStatus }
            code = code * 10 + Int(d - UInt8(ascii: "0"))
        }
        guard code >= 100 else { throw .invalidStatus }
        if status.count > 12 && status[status.startIndex + 12] != UInt8(ascii: " ") { throw .invalidStatus }
        var responseStatus = HTTPResponseStatus(statusCode: code)
        if case .custom = responseStatus {
            let reason = status.count > 13 ? String(decoding: UnsafeRawBufferPointer(rebasing: status.dropFirst(13)), as: UTF8.self) : ""
            responseStatus = HTTPResponseStatus(statusCode: code, reasonPhrase: reason)
        }
        var framing = Framing()
        let headers = try parseFields(raw, from: at, framing: &framing)
        return (HTTPResponseHead(version: version, status: responseStatus, headers: headers), framing)
    }

    /// Trailer lines after the last chunk.
    static func parseTrailers(_ block: inout ByteBuffer) throws(HTTPParserError) -> HTTPHeaders {
        var error: HTTPParserError?
        let parsed: HTTPHeaders? = block.withUnsafeReadableBytes { raw in
            var ignored = Framing()
            do throws(HTTPParserError) {
                return try parseFields(raw, from: 0, framing: &ignored)
            } catch let e {
                error = e
                return nil
            }
        }
        guard let parsed else { throw error ?? .invalidInternalState }
        return parsed
    }

    /// Header (or trailer) lines: `name: value`, the value trimmed of spaces and tabs. A line
    /// that starts with space or tab (obsolete folding) fails the name check.
    private static func parseFields(_ raw: UnsafeRawBufferPointer, from start: Int,
                                    framing: inout Framing) throws(HTTPParserError) -> HTTPHeaders {
        var fields: [(String, String)] = []
        fields.reserveCapacity(16)
        var at = start
        while let line = nextLine(raw, &at) {
            var colon = line.startIndex
            while colon < line.endIndex, line[colon] != UInt8(ascii: ":") {
                guard isTokenByte(line[colon]) else { throw .invalidHeaderToken }
                colon += 1
            }
            guard colon < line.endIndex, colon > line.startIndex else { throw .invalidHeaderToken }
            var valueStart = colon + 1
            var valueEnd = line.endIndex
            while valueStart < valueEnd, line[valueStart] == UInt8(ascii: " ") || line[valueStart] == UInt8(ascii: "\t") { valueStart += 1 }
            while valueEnd > valueStart, line[valueEnd - 1] == UInt8(ascii: " ") || line[valueEnd - 1] == UInt8(ascii: "\t") { valueEnd -= 1 }
            for i in valueStart..<valueEnd {
                let b = line[i]
                if (b < 0x20 && b != UInt8(ascii: "\t")) || b == 0x7F { throw .invalidCharactersUsed }
            }
            let name = UnsafeRawBufferPointer(rebasing: line[line.startIndex..<colon])
            let value = UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd])
            try note(name, value, in: &framing)
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return HTTPHeaders(fields)
    }

    /// Framing and connection fields, as they go by.
    private static func note(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                             in framing: inout Framing) throws(HTTPParserError) {
        switch name.count {
        case 10 where equalsLowercased(name, "connection"):
            forEachToken(value) { token in
                if equalsLowercased(token, "close") { framing.connectionClose = true }
                if equalsLowercased(token, "keep-alive") { framing.connectionKeepAlive = true }
            }
        case 14 where equalsLowercased(name, "content-length"):
            guard value.count > 0, value.count <= 18 else { throw .invalidContentLength }
            var n = 0
            for b in value {
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { throw .invalidContentLength }
                n = n * 10 + Int(b - UInt8(ascii: "0"))
            }
            if let length = framing.contentLength, length != n { throw .unexpectedContentLength }
            framing.contentLength = n
        case 17 where equalsLowercased(name, "transfer-encoding"):
            // The last coding decides; `chunked` anywhere but last is not chunked framing.
            var last: UnsafeRawBufferPointer?
            forEachToken(value) { last = $0 }
            framing.chunked = last.map { equalsLowercased($0, "chunked") } ?? false
        default:
            break
        }
    }

    /// Each comma-separated element of a list value, trimmed of spaces and tabs.
    private static func forEachToken(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
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
    private static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        let target = lower.utf8Start
        for i in 0..<bytes.count {
            let b = bytes[i]
            let folded = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
            guard folded == target[i] else { return false }
        }
        return true
    }

    private static func matches(_ bytes: Slice<UnsafeRawBufferPointer>, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        let p = prefix.utf8Start
        for i in 0..<prefix.utf8CodeUnitCount where bytes[bytes.startIndex + i] != p[i] { return false }
        return true
    }

    /// The next line from `at`, without its line end (CRLF, or a bare LF).
    private static func nextLine(_ raw: UnsafeRawBufferPointer, _ at: inout Int) -> Slice<UnsafeRawBufferPointer>? {
        guard at < raw.count else { return nil }
        var lf = at
        while lf < raw.count, raw[lf] != UInt8(ascii: "\n") { lf += 1 }
        var end = lf
        if end > at && raw[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = raw[at..<end]
        at = lf + 1
        return line
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    // MARK: - framing

    private static func bodyState(_ framing: Framing) throws(HTTPParserError) -> State {
        if let chunked = framing.chunked {
            if framing.contentLength != nil { throw .unexpectedContentLength }
            return chunked ? .chunkSize : .untilClose
        }
        if let length = framing.contentLength { return .fixed(remaining: length) }
        return .untilClose
    }

    /// `hex[;ext]`: the size; extensions are ignored.
    private static func chunkSize(_ line: ByteBuffer) throws(HTTPParserError) -> Int {
        var size = 0
        var digits = 0
        for b in line.readableBytesView {  // a few bytes, rare enough
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

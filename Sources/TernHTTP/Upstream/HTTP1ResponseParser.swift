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
        case body(HTTP1BodyReader)
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
    /// The previous head's long values, for the next head on this connection.
    private var values = HTTP1ValueCache()

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
    var endsAtClose: Bool { if case .body(let reader) = state { reader.endsAtClose } else { false } }

    /// The peer closed: true when that ends a response read until close.
    mutating func closed() -> Bool {
        guard endsAtClose else { return false }
        state = .idle
        return true
    }

    /// The next part in `buffer` (consuming what it used), or nil when more bytes are needed.
    /// After a 101 head and its end, nil: what is left in `buffer` belongs to the tunnel.
    mutating func next(_ buffer: inout ByteBuffer) throws(HTTPParserError) -> Part? {
        HTTP1Syntax.resume(&held, into: &buffer)
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
                guard let block = HTTP1Syntax.takeBlock(&buffer) else { return try hold(&buffer, limit: Self.maxHeadBytes) }
                guard block.readableBytes <= Self.maxHeadBytes else { throw .headerOverflow }
                let (head, fields) = try HTTP1Syntax.withBytes(block) { raw throws(HTTPParserError) in
                    try Self.parseHead(raw, values: &values)
                }
                let code = Int(head.status.code)
                if code < 200 && code != 101 { continue }  // informational: the real response follows
                if code == 101 {
                    state = .upgradeEnd
                } else if headRequest || code == 204 || code == 304 {
                    state = .body(.length(0))
                } else {
                    state = .body(try HTTP1BodyReader.framing(fields, isRequest: false, maxTrailerBytes: Self.maxHeadBytes)!)
                }
                keepAlive = head.version == .http1_1 ? !fields.connectionClose : fields.connectionKeepAlive
                return .head(head)
            case .body(var reader):
                let step = try reader.next(&buffer)
                switch step {
                case .body(let bytes):
                    state = .body(reader)
                    return .body(bytes)
                case .end(let trailers):
                    state = .idle
                    return .end(trailers)
                case .needMore(let limit):
                    state = .body(reader)
                    return try hold(&buffer, limit: limit)
                }
            }
        }
    }

    /// Keeps an incomplete head or line for the next read (nil: more bytes are needed).
    private mutating func hold(_ buffer: inout ByteBuffer, limit: Int) throws(HTTPParserError) -> Part? {
        guard buffer.readableBytes <= limit else { throw limit == Self.maxHeadBytes ? .headerOverflow : .invalidChunkSize }
        if buffer.readableBytes > 0 { held = buffer.readSlice(length: buffer.readableBytes) }
        return nil
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason]` and the field lines.
    static func parseHead(_ raw: UnsafeRawBufferPointer, values: inout HTTP1ValueCache) throws(HTTPParserError)
        -> (HTTPResponseHead, HTTP1Syntax.Fields) {
        var at = 0
        guard let status = HTTP1Syntax.nextLine(raw, &at), status.count >= 12 else { throw .invalidStatus }
        guard let version = HTTP1Syntax.version(status.prefix(8)), status[status.startIndex + 8] == UInt8(ascii: " ") else {
            throw .invalidVersion
        }
        guard version.major == 1, version.minor <= 1 else { throw .invalidVersion }
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
        var fields = try HTTP1Syntax.parseFields(raw, from: at, scan: false, values: &values)
        return (HTTPResponseHead(version: version, status: responseStatus, headers: fields.takeHeaders()), fields)
    }
}

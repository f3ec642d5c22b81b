import NIOCore
import NIOHTTP1

/// Tern's HTTP/1.1 request parser for downstream connections (RFC 9112), in place of NIO's
/// decoder handler: the connection pulls parts out of each buffer it reads, so a request head
/// reaches the connection manager as the only copy of its headers, with the one scan of them
/// the manager needs taken during parsing, and nothing crosses the channel pipeline.
///
/// Strict where a lenient reading could smuggle a request past another hop: exactly one space
/// between the request line's three parts, a target without spaces or control characters, token
/// header names with no space before the colon and no folded lines, values without control
/// characters, `Content-Length` digits only and never two different ones, and a request with
/// both `Content-Length` and `Transfer-Encoding`, or whose transfer coding does not end in
/// `chunked`, refused (400; a transfer coding other than chunked is 501, as Envoy answers it).
/// Methods are the ones HTTP defines and the target is ASCII, as Envoy's codec requires. An `HTTP/x.y` other than 1.0 and 1.1 is `invalidVersion` (Envoy's
/// 426); a head over `maxHeadBytes` is `headerOverflow` (431). Empty lines before a request line
/// are skipped (RFC 9112 §2.2). After a request that asks to switch protocols (`CONNECT`, or
/// `Upgrade` with `connection: upgrade`) parsing stops: the bytes after it are the tunnel's.
struct HTTP1RequestParser {
    enum Part {
        /// `scan`: the connection manager's headers of interest; `keepAlive`: HTTP/1.1 without
        /// `connection: close`, or HTTP/1.0 with `keep-alive`; `bodyless`: the request ends here.
        case head(HTTPRequestHead, scan: HeaderScan, keepAlive: Bool, bodyless: Bool)
        case body(ByteBuffer)
        case end(HTTPHeaders?)
    }

    private enum State {
        case head
        case body(HTTP1BodyReader)
        /// After a request that switches protocols: the rest is not HTTP.
        case upgraded
    }

    let maxHeadBytes: Int
    private var state = State.head
    private var upgradeAfterEnd = false
    /// The start of a head, trailer block or line that the next read completes.
    private var held: ByteBuffer?
    /// The previous head's long values, for the next head on this connection.
    private var values = HTTP1ValueCache()

    init(maxHeadBytes: Int) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Parsing stopped after a request that switches protocols.
    var isUpgraded: Bool { if case .upgraded = state { true } else { false } }

    /// The next part in `buffer` (consuming what it used), or nil when more bytes are needed.
    /// Once upgraded, nil: what is left in `buffer` belongs to the tunnel.
    mutating func next(_ buffer: inout ByteBuffer) throws(HTTPParserError) -> Part? {
        HTTP1Syntax.resume(&held, into: &buffer)
        switch state {
        case .upgraded:
            return nil
        case .head:
            Self.skipEmptyLines(&buffer)
            guard let block = HTTP1Syntax.takeBlock(&buffer) else { return try hold(&buffer, limit: maxHeadBytes) }
            guard block.readableBytes <= maxHeadBytes else { throw .headerOverflow }
            var (head, fields) = try HTTP1Syntax.withBytes(block) { raw throws(HTTPParserError) in
                try Self.parseHead(raw, values: &values)
            }
            let reader = try HTTP1BodyReader.framing(fields, isRequest: true, maxTrailerBytes: maxHeadBytes)
            state = .body(reader ?? .length(0))
            upgradeAfterEnd = head.method == .CONNECT || (fields.connectionUpgrade && fields.scan.contains(.upgrade))
            let keepAlive = head.version.minor >= 1 ? !fields.connectionClose : fields.connectionKeepAlive
            head.headers = fields.takeHeaders()
            let bodyless = reader == nil || fields.contentLength == 0
            return .head(head, scan: fields.scan, keepAlive: keepAlive, bodyless: bodyless)
        case .body(var reader):
            switch try reader.next(&buffer) {
            case .body(let bytes):
                state = .body(reader)
                return .body(bytes)
            case .end(let trailers):
                state = upgradeAfterEnd ? .upgraded : .head
                return .end(trailers)
            case .needMore(let limit):
                state = .body(reader)
                return try hold(&buffer, limit: limit)
            }
        }
    }

    /// Keeps an incomplete head or line for the next read (nil: more bytes are needed).
    private mutating func hold(_ buffer: inout ByteBuffer, limit: Int) throws(HTTPParserError) -> Part? {
        guard buffer.readableBytes <= limit else {
            // A head or trailer block too big is 431; a chunk-size line too long is malformed.
            throw limit == maxHeadBytes ? .headerOverflow : .invalidChunkSize
        }
        if buffer.readableBytes > 0 { held = buffer.readSlice(length: buffer.readableBytes) }
        return nil
    }

    private static func skipEmptyLines(_ buffer: inout ByteBuffer) {
        while let b = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              b == UInt8(ascii: "\r") || b == UInt8(ascii: "\n") {
            buffer.moveReaderIndex(forwardBy: 1)
        }
    }

    /// `method SP request-target SP HTTP/x.y` and the field lines.
    static func parseHead(_ raw: UnsafeRawBufferPointer, values: inout HTTP1ValueCache) throws(HTTPParserError)
        -> (HTTPRequestHead, HTTP1Syntax.Fields) {
        var at = 0
        guard let line = HTTP1Syntax.nextLine(raw, &at) else { throw .invalidConstant }
        guard let firstSpace = line.firstIndex(of: UInt8(ascii: " ")), firstSpace > line.startIndex else { throw .invalidMethod }
        for i in line.startIndex..<firstSpace where !HTTP1Syntax.isTokenByte(line[i]) { throw .invalidMethod }
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: UInt8(ascii: " ")), secondSpace > rest.startIndex else { throw .invalidURL }
        for i in rest.startIndex..<secondSpace where rest[i] <= 0x20 || rest[i] >= 0x7F { throw .invalidURL }
        let versionBytes = line[(secondSpace + 1)...]
        guard let version = HTTP1Syntax.version(versionBytes) else { throw .invalidConstant }
        guard version.major == 1, version.minor <= 1 else { throw .invalidVersion }
        let method = HTTPMethod(rawValue: String(decoding: UnsafeRawBufferPointer(rebasing: line[line.startIndex..<firstSpace]), as: UTF8.self))
        // Only the methods HTTP defines (NIO's list), as Envoy's codec: others are 400.
        if case .RAW = method { throw .invalidMethod }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<secondSpace]), as: UTF8.self)
        let fields = try HTTP1Syntax.parseFields(raw, from: at, scan: true, values: &values)
        return (HTTPRequestHead(version: version, method: method, uri: target, headers: HTTPHeaders()), fields)
    }
}

import NIOCore
import NIOHTTP1

/// One HTTP/1.1 message body as it arrives (RFC 9112 §6–7): a fixed length, chunks and their
/// trailers, or everything until the connection closes. Body parts are slices of the buffer
/// read; a chunk-size line or trailer block split across reads waits in the parser's hold.
struct HTTP1BodyReader {
    enum Step {
        case body(ByteBuffer)
        case end(HTTPHeaders?)
        /// More bytes are needed; what is left of the buffer (at most `hold` bytes) must wait.
        case needMore(hold: Int)
    }

    private enum State {
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    private var state: State
    private let maxTrailerBytes: Int

    private init(_ state: State, maxTrailerBytes: Int) {
        self.state = state
        self.maxTrailerBytes = maxTrailerBytes
    }

    static func length(_ n: Int) -> Self { Self(.fixed(remaining: n), maxTrailerBytes: 0) }
    static func chunked(maxTrailerBytes: Int) -> Self { Self(.chunkSize, maxTrailerBytes: maxTrailerBytes) }
    static var untilClose: Self { Self(.untilClose, maxTrailerBytes: 0) }

    /// The body is read until the peer closes.
    var endsAtClose: Bool { if case .untilClose = state { true } else { false } }

    /// The framing a head's fields give, for a message that has a body: chunked (a request's
    /// transfer-encoding must end in chunked; both headers at once are refused), a length, or
    /// `otherwise` (no body for a request, until close for a response).
    static func framing(_ fields: HTTP1Syntax.Fields, isRequest: Bool, maxTrailerBytes: Int) throws(HTTPParserError) -> Self? {
        if let chunked = fields.chunked {
            if fields.contentLength != nil { throw .unexpectedContentLength }
            if chunked { return .chunked(maxTrailerBytes: maxTrailerBytes) }
            // A request body must end chunked (RFC 9112 §6.3); any other coding is one this
            // server does not implement (`unknown`: 501, as Envoy answers).
            if isRequest { throw .unknown }
            return .untilClose
        }
        if let length = fields.contentLength { return .length(length) }
        return isRequest ? nil : .untilClose
    }

    mutating func next(_ buffer: inout ByteBuffer) throws(HTTPParserError) -> Step {
        while true {
            switch state {
            case .done:
                return .needMore(hold: 0)
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .done
                    return .end(nil)
                }
                guard buffer.readableBytes > 0 else { return .needMore(hold: 0) }
                let n = min(remaining, buffer.readableBytes)
                state = .fixed(remaining: remaining - n)
                return .body(buffer.readSlice(length: n)!)
            case .untilClose:
                guard buffer.readableBytes > 0 else { return .needMore(hold: 0) }
                return .body(buffer.readSlice(length: buffer.readableBytes)!)
            case .chunkSize:
                guard let line = HTTP1Syntax.takeLine(&buffer) else { return .needMore(hold: 1024) }
                let size = try HTTP1Syntax.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard buffer.readableBytes > 0 else { return .needMore(hold: 0) }
                let n = min(remaining, buffer.readableBytes)
                state = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - n)
                return .body(buffer.readSlice(length: n)!)
            case .chunkDataEnd:
                guard let line = HTTP1Syntax.takeLine(&buffer) else { return .needMore(hold: 2) }
                guard line.readableBytes == 0 else { throw .invalidChunkSize }
                state = .chunkSize
            case .trailers:
                guard let block = HTTP1Syntax.takeBlock(&buffer) else { return .needMore(hold: maxTrailerBytes) }
                guard block.readableBytes <= maxTrailerBytes else { throw .headerOverflow }
                let fields = try HTTP1Syntax.withBytes(block) { raw throws(HTTPParserError) in
                    try HTTP1Syntax.parseFields(raw, from: 0, scan: false)
                }
                state = .done
                return .end(fields.headers.isEmpty ? nil : fields.headers)
            }
        }
    }
}

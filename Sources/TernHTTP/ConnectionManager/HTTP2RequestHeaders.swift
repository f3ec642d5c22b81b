import NIOHTTP1
import TernHTTP2

/// A downstream stream's request HEADERS as the HTTP/1-shaped parts the connection manager
/// works on, checked in the one pass that converts them (the codec leaves header semantics to
/// this layer). A block that breaks RFC 9113 §8.2–8.3 is malformed (nil), which the stream
/// answers with RST_STREAM PROTOCOL_ERROR:
/// - pseudo-header fields only before the regular ones, each at most once, only the request's
///   (`:method`, `:scheme`, `:authority`, `:path`; Tern does not offer extended CONNECT), with no
///   control character, space or DEL in the value (`:path` becomes an HTTP/1.1 request line);
/// - `:method`, `:scheme` and a non-empty `:path`, or for CONNECT `:method` and `:authority` only;
/// - names that are lower-case tokens, none connection-specific, `te` only as `trailers`;
/// - no NUL, CR or LF in any value (each would split an HTTP/1.1 message upstream).
enum HTTP2RequestHeaders {
    /// The head, built here so that its headers are the only copy (the connection manager
    /// then edits them in place); nil when malformed. `endStream`: the HEADERS frame ends the
    /// request.
    /// `contentLength`: the length the request declares, which its DATA must add up to (the
    /// stream counts it).
    static func request(_ fields: HTTP2Fields, endStream: Bool, contentLength: inout Int?) -> HTTPRequestHead? {
        // Built as an array and wrapped once: `HTTPHeaders.add` re-checks every name.
        var headers: [(String, String)] = []
        headers.reserveCapacity(fields.count + 2)
        var scheme = false
        var path: String?
        var authority: String?
        var method: String?
        var regularSeen = false
        for (name, value) in fields.pairs {
            if name.utf8.first == UInt8(ascii: ":") {
                guard !regularSeen, isValidPseudoValue(value) else { return nil }
                switch name {
                case ":method" where method == nil: method = value
                case ":path" where path == nil: path = value
                case ":authority" where authority == nil: authority = value
                case ":scheme" where !scheme: scheme = true  // implied by the listener
                default: return nil  // unknown, a response's, or a repeat
                }
                continue
            }
            regularSeen = true
            guard HTTP2FieldNames.isValidRegularField(name, value) else { return nil }
            switch name.utf8.count {
            case 2 where name == "te":
                guard value == "trailers" else { return nil }
            case 4 where name == "host":
                // :authority wins over a host header (RFC 9113 §8.3.1); both never reach upstream.
                if authority == nil { authority = value }
                continue
            case 14 where name == "content-length":
                guard HTTP2FieldNames.noteContentLength(value, into: &contentLength) else { return nil }
            default:
                break
            }
            headers.append((name, value))
        }
        guard let method else { return nil }
        let target: String
        if method == "CONNECT" {
            guard let authority, path == nil, !scheme else { return nil }
            target = authority
        } else {
            guard let path, !path.isEmpty, scheme else { return nil }
            target = path
        }
        if let authority { headers.append(("host", authority)) }  // every host field was skipped above
        // The upstream speaks HTTP/1.1: a body without content-length is sent chunked there.
        if !endStream && contentLength == nil { headers.append(("transfer-encoding", "chunked")) }
        return HTTPRequestHead(version: .http2, method: HTTPMethod(rawValue: method), uri: target, headers: HTTPHeaders(headers))
    }

    /// Trailing HEADERS as trailers; nil when malformed (a pseudo-header, or a field `request`
    /// would refuse).
    static func trailers(_ fields: HTTP2Fields) -> HTTPHeaders? {
        var out: [(String, String)] = []
        out.reserveCapacity(fields.count)
        for (name, value) in fields.pairs {
            guard name.utf8.first != UInt8(ascii: ":"), HTTP2FieldNames.isValidRegularField(name, value) else { return nil }
            out.append((name, value))
        }
        return HTTPHeaders(out)
    }

    /// No control character, space or DEL: every pseudo-header's grammar excludes them.
    static func isValidPseudoValue(_ value: String) -> Bool {
        HTTP2FieldNames.withBytes(value) { bytes in
            for byte in bytes where byte <= 0x20 || byte == 0x7F { return false }
            return true
        }
    }
}

import NIOCore
internal import NIOHPACK
import NIOHTTP1
import TernHTTP2

/// HTTP/1.1 ⇄ HTTP/2 header translation for upstream streams. The router works on HTTP/1-shaped
/// heads whatever the protocols; an HTTP/2 upstream stream turns the request head into HEADERS
/// (`:method`, `:scheme`, `:authority` from `host`, `:path`) without the connection-specific
/// headers HTTP/2 forbids, and the response HEADERS back into a head (`:status`).
enum HTTP2UpstreamHeaders {
    /// The request HEADERS for `head`, written straight into the block; `scheme` is `http`
    /// (h2c) or `https` (over TLS).
    static func append(_ head: HTTPRequestHead, scheme: String, to sink: inout HTTP2FieldSink) {
        sink.append(name: ":method", value: head.method.rawValue)
        sink.append(name: ":scheme", value: scheme)
        sink.append(name: ":authority", value: head.headers.first(name: "host") ?? "")
        sink.append(name: ":path", value: head.uri.isEmpty ? "/" : head.uri)
        HTTP2FieldWriter.appendRegular(head.headers, request: true, to: &sink)
    }

    /// The same fields as a list.
    static func request(_ head: HTTPRequestHead, scheme: String) -> HPACKHeaders {
        var sink = HTTP2FieldSink.collecting()
        append(head, scheme: scheme, to: &sink)
        return sink.fields
    }

    /// The response head of HEADERS with `:status`; nil when the block is malformed (RFC 9113
    /// §8.2 and §8.3.2: a single leading `:status` and no other pseudo-header, lower-case token
    /// names, no connection-specific header, no CR, LF or NUL in a value), checked in the one
    /// pass that converts the block (the codec leaves header semantics to this layer).
    static func response(_ fields: HTTP2Fields) -> HTTPResponseHead? {
        var ignored: Int?
        return response(fields, contentLength: &ignored)
    }

    /// The same, noting the `content-length` the response declares (nil when it declares none).
    static func response(_ fields: HTTP2Fields, contentLength: inout Int?) -> HTTPResponseHead? {
        var status: Int?
        var headers: [(String, String)] = []  // wrapped once: `HTTPHeaders.add` re-checks every name
        headers.reserveCapacity(fields.count + 2)
        var regularSeen = false
        for (name, value) in fields.pairs {
            if name.utf8.first == UInt8(ascii: ":") {
                guard name == ":status", status == nil, !regularSeen else { return nil }
                status = Int(value)
                continue
            }
            regularSeen = true
            guard HTTP2FieldNames.isValidRegularField(name, value) else { return nil }
            if name.utf8.count == 14, name == "content-length",
               !HTTP2FieldNames.noteContentLength(value, into: &contentLength) { return nil }
            headers.append((name, value))
        }
        guard let status, (100...999).contains(status) else { return nil }
        return HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: HTTPHeaders(headers))
    }

    /// Trailing HEADERS as trailers; nil when the block is malformed (any pseudo-header, or a
    /// field `response` would refuse).
    static func trailers(_ fields: HTTP2Fields) -> HTTPHeaders? {
        HTTP2RequestHeaders.trailers(fields)  // the same rules both ways
    }

    /// Trailers for a trailing HEADERS frame (names lowercased, connection-specific dropped).
    static func trailerFields(_ trailers: HTTPHeaders) -> HPACKHeaders {
        var out = HPACKHeaders()
        out.reserveCapacity(trailers.count)
        for (name, value) in trailers {
            let lower = HTTP2FieldNames.lowercased(name)
            if HTTP2FieldNames.isConnectionSpecific(lower) || lower == "host" || lower == "te" { continue }
            out.add(name: lower, value: value)
        }
        return out
    }

}

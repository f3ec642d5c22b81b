import NIOCore
internal import NIOHPACK
import NIOHTTP1

/// HTTP/1.1 ⇄ HTTP/2 header translation for upstream streams. The router works on HTTP/1-shaped
/// heads whatever the protocols; an HTTP/2 upstream stream turns the request head into HEADERS
/// (`:method`, `:scheme`, `:authority` from `host`, `:path`) without the connection-specific
/// headers HTTP/2 forbids, and the response HEADERS back into a head (`:status`).
enum HTTP2UpstreamHeaders {
    /// The request HEADERS for `head`; `scheme` is `http` (h2c) or `https` (over TLS).
    static func request(_ head: HTTPRequestHead, scheme: String) -> HPACKHeaders {
        var out = HPACKHeaders()
        out.reserveCapacity(head.headers.count + 4)
        out.add(name: ":method", value: head.method.rawValue)
        out.add(name: ":scheme", value: scheme)
        out.add(name: ":authority", value: head.headers.first(name: "host") ?? "")
        out.add(name: ":path", value: head.uri.isEmpty ? "/" : head.uri)
        let named = head.headers.contains(name: "connection") ? head.headers[canonicalForm: "connection"].map { $0.lowercased() } : []
        for (name, value) in head.headers {
            let lower = HTTP2FieldNames.lowercased(name)
            if HTTP2FieldNames.isConnectionSpecific(lower) || lower == "host" || (!named.isEmpty && named.contains(lower)) { continue }
            // `te` may only say `trailers` in HTTP/2.
            if lower == "te" {
                if value.lowercased().contains("trailers") { out.add(name: "te", value: "trailers") }
                continue
            }
            out.add(name: lower, value: value, indexing: HTTP2FieldNames.indexing(lower))
        }
        return out
    }

    /// The response head of HEADERS with `:status`; nil when the block is malformed (RFC 9113
    /// §8.2 and §8.3.2: a single leading `:status` and no other pseudo-header, lower-case token
    /// names, no connection-specific header, no CR, LF or NUL in a value), checked in the one
    /// pass that converts the block (the codec leaves header semantics to this layer).
    static func response(_ fields: HPACKHeaders) -> HTTPResponseHead? {
        var ignored: Int?
        return response(fields, contentLength: &ignored)
    }

    /// The same, noting the `content-length` the response declares (nil when it declares none).
    static func response(_ fields: HPACKHeaders, contentLength: inout Int?) -> HTTPResponseHead? {
        var status: Int?
        var headers: [(String, String)] = []  // wrapped once: `HTTPHeaders.add` re-checks every name
        headers.reserveCapacity(fields.count + 2)
        var regularSeen = false
        for (name, value, _) in fields {
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
    static func trailers(_ fields: HPACKHeaders) -> HTTPHeaders? {
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

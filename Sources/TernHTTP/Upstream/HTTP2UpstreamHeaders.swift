import NIOCore
internal import NIOHPACK
import NIOHTTP1

/// HTTP/1.1 ⇄ HTTP/2 header translation for upstream streams. The router works on HTTP/1-shaped
/// heads whatever the protocols; an HTTP/2 upstream stream turns the request head into HEADERS
/// (`:method`, `:scheme`, `:authority` from `host`, `:path`) without the connection-specific
/// headers HTTP/2 forbids, and the response HEADERS back into a head (`:status`).
enum HTTP2UpstreamHeaders {
    /// Connection-specific headers (RFC 9113 §8.2.2), never sent in HTTP/2.
    static let connectionSpecific: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host"]

    /// The request HEADERS for `head`; `scheme` is `http` (h2c) or `https` (over TLS).
    static func request(_ head: HTTPRequestHead, scheme: String) -> HPACKHeaders {
        var out = HPACKHeaders()
        out.reserveCapacity(head.headers.count + 4)
        out.add(name: ":method", value: head.method.rawValue)
        out.add(name: ":scheme", value: scheme)
        out.add(name: ":authority", value: head.headers.first(name: "host") ?? "")
        out.add(name: ":path", value: head.uri.isEmpty ? "/" : head.uri)
        let named = head.headers[canonicalForm: "connection"].map { $0.lowercased() }
        for (name, value) in head.headers {
            let lower = name.lowercased()
            if connectionSpecific.contains(lower) || (!named.isEmpty && named.contains(lower)) { continue }
            // `te` may only say `trailers` in HTTP/2.
            if lower == "te" {
                if value.lowercased().contains("trailers") { out.add(name: "te", value: "trailers") }
                continue
            }
            out.add(name: lower, value: value)
        }
        return out
    }

    /// The response head of HEADERS with `:status`; nil when there is none or it is malformed.
    static func response(_ fields: HPACKHeaders) -> HTTPResponseHead? {
        var status: Int?
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields.count)
        for (name, value, _) in fields {
            if name.utf8.first == UInt8(ascii: ":") {
                if name == ":status" { status = Int(value) }
                continue
            }
            headers.add(name: name, value: value)
        }
        guard let status, (100...999).contains(status) else { return nil }
        return HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
    }

    /// Trailing HEADERS as trailers (pseudo-headers dropped).
    static func trailers(_ fields: HPACKHeaders) -> HTTPHeaders {
        var out = HTTPHeaders()
        for (name, value, _) in fields where name.utf8.first != UInt8(ascii: ":") { out.add(name: name, value: value) }
        return out
    }

    /// Trailers for a trailing HEADERS frame (names lowercased, connection-specific dropped).
    static func trailerFields(_ trailers: HTTPHeaders) -> HPACKHeaders {
        var out = HPACKHeaders()
        for (name, value) in trailers {
            let lower = name.lowercased()
            if connectionSpecific.contains(lower) || lower == "te" { continue }
            out.add(name: lower, value: value)
        }
        return out
    }
}

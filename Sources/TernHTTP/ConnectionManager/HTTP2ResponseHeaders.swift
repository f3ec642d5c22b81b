internal import NIOHPACK
import NIOHTTP1

/// A response head as HTTP/2 HEADERS: `:status` first, names lowercased, and the
/// connection-specific headers HTTP/2 forbids (RFC 9113 §8.2.2) left out, with whatever
/// `connection` names. Built in one array sized up front (NIOHPACK's own conversion builds a
/// second array and copies it).
enum HTTP2ResponseHeaders {
    static func fields(_ head: HTTPResponseHead) -> HPACKHeaders {
        var out = HPACKHeaders()
        out.reserveCapacity(head.headers.count + 1)
        out.add(name: ":status", value: String(head.status.code))
        append(head.headers, to: &out)
        return out
    }

    /// Trailers for a trailing HEADERS frame: the same rules as toward an upstream.
    static func trailerFields(_ trailers: HTTPHeaders) -> HPACKHeaders {
        HTTP2UpstreamHeaders.trailerFields(trailers)
    }

    private static func append(_ headers: HTTPHeaders, to out: inout HPACKHeaders) {
        let named = headers.contains(name: "connection") ? headers[canonicalForm: "connection"].map { $0.lowercased() } : []
        for (name, value) in headers {
            let lower = HTTP2FieldNames.lowercased(name)
            if HTTP2FieldNames.isConnectionSpecific(lower) { continue }
            if !named.isEmpty, named.contains(where: { $0 == lower }) { continue }
            out.add(name: lower, value: value, indexing: HTTP2FieldNames.indexing(lower))
        }
    }
}

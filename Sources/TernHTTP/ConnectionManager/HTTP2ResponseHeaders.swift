internal import NIOHPACK
import NIOHTTP1
import TernHTTP2

/// A response head as HTTP/2 HEADERS: `:status` first, names lowercased, and the
/// connection-specific headers HTTP/2 forbids (RFC 9113 §8.2.2) left out, with whatever
/// `connection` names. Written straight into the header block (`HTTP2FieldWriter`).
enum HTTP2ResponseHeaders {
    static func append(_ head: HTTPResponseHead, to sink: inout HTTP2FieldSink) {
        sink.append(name: ":status", value: String(head.status.code))
        HTTP2FieldWriter.appendRegular(head.headers, request: false, to: &sink)
    }

    /// The same fields as a list.
    static func fields(_ head: HTTPResponseHead) -> HPACKHeaders {
        var sink = HTTP2FieldSink.collecting()
        append(head, to: &sink)
        return sink.fields
    }

    /// Trailers for a trailing HEADERS frame: the same rules as toward an upstream.
    static func trailerFields(_ trailers: HTTPHeaders) -> HPACKHeaders {
        HTTP2UpstreamHeaders.trailerFields(trailers)
    }
}

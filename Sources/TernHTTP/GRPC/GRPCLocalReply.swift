import NIOHTTP1

/// How a local reply looks to a gRPC client, as Envoy's `Utility::prepareLocalReply` shapes it:
/// a trailers-only response (one HEADERS frame that ends the stream) with HTTP status 200,
/// `content-type: application/grpc`, a `grpc-status` (the caller's, else one mapped from the
/// HTTP status) and the body as a percent-encoded `grpc-message`. Headers the caller added
/// (`x-envoy-overloaded`, route response headers) are kept; `content-length` is not sent.
public enum GRPCLocalReply {
    /// Envoy's `Grpc::Common::hasGrpcContentType`: `application/grpc` exactly or
    /// `application/grpc+<codec>`; `application/grpc-web` is not gRPC.
    public static func isGRPC(_ headers: HTTPHeaders) -> Bool {
        guard let ct = headers.first(name: "content-type") else { return false }
        let grpc = "application/grpc".utf8
        let value = ct.utf8
        guard value.starts(with: grpc) else { return false }
        return value.count == grpc.count || value.dropFirst(grpc.count).first == UInt8(ascii: "+")
    }

    /// The trailers-only head replacing a local reply of `httpStatus` with `body`.
    /// `headers` are the reply's extra headers; a `grpc-status` among them wins.
    static func head(httpStatus: Int, grpcStatus: Int?, body: String, headers: HTTPHeaders,
                     isHeadRequest: Bool) -> HTTPHeaders {
        var h = headers
        h.remove(name: "content-length")
        h.replaceOrAdd(name: "content-type", value: "application/grpc")
        if !h.contains(name: "grpc-status") {
            h.add(name: "grpc-status", value: String(grpcStatus ?? GRPCStatus.forHTTPStatus(httpStatus)))
        }
        if !body.isEmpty && !isHeadRequest {
            h.replaceOrAdd(name: "grpc-message", value: percentEncode(body))
        }
        return h
    }

    /// `grpc-message` encoding as Envoy's `PercentEncoding::encode`: bytes below space, from
    /// `~` up (non-ASCII included) and `%` become `%XX`; everything else stays as is.
    public static func percentEncode(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: needsEncoding) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in utf8 {
            if needsEncoding(b) {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsEncoding(_ b: UInt8) -> Bool {
        b < 0x20 || b >= 0x7E || b == UInt8(ascii: "%")
    }
}

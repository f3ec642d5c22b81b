import NIOHTTP1
import TernNetwork

/// The fault filter's abort answer, shaped as Envoy's local reply: `fault filter abort` as a
/// `text/plain` body with the abort's HTTP status, or, for a gRPC request, a trailers-only gRPC
/// answer (HTTP 200, `content-type: application/grpc`, `grpc-status`, `grpc-message`).
///
/// The gRPC shape lives here because Tern's connection manager does not yet shape every local
/// reply for gRPC requests as Envoy does.
enum FaultLocalReply {
    static let body = "fault filter abort"
    static let details = "fault_filter_abort"

    static func send(_ stream: any HTTPFilterCallbacks, httpStatus: Int, grpcStatus: Int?, requestHeaders: HTTPHeaders) {
        let status = HTTPResponseStatus(statusCode: httpStatus)
        guard isGRPC(requestHeaders) else {
            stream.sendLocalReply(status: status, body: body, details: details, flags: .faultInjected, headers: nil)
            return
        }
        stream.info.responseFlags.insert(.faultInjected)
        stream.info.responseCodeDetails = details
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "grpc-status", value: String(grpcStatus ?? grpcStatusForHTTP(httpStatus)))
        // Envoy percent-encodes only bytes outside printable ASCII and `%`; the text has none.
        headers.add(name: "grpc-message", value: body)
        stream.encodeHeaders(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers), endStream: true)
    }

    /// Envoy's gRPC test: `application/grpc` exactly or `application/grpc+<codec>` (not grpc-web).
    static func isGRPC(_ headers: HTTPHeaders) -> Bool {
        guard let ct = headers.first(name: "content-type") else { return false }
        let grpc = "application/grpc"
        guard ct.hasPrefix(grpc) else { return false }
        return ct.utf8.count == grpc.utf8.count || ct.utf8.dropFirst(grpc.utf8.count).first == UInt8(ascii: "+")
    }

    /// Envoy's `Grpc::Utility::httpToGrpcStatus`.
    static func grpcStatusForHTTP(_ code: Int) -> Int {
        switch code {
        case 400: return 13  // INTERNAL
        case 401: return 16  // UNAUTHENTICATED
        case 403: return 7   // PERMISSION_DENIED
        case 404: return 12  // UNIMPLEMENTED
        case 429, 502, 503, 504: return 14  // UNAVAILABLE
        default: return 2  // UNKNOWN
        }
    }
}

import NIOHTTP1
import TernNetwork

/// The fault filter's abort answer, shaped as Envoy's local reply: `fault filter abort` as a
/// `text/plain` body with the abort's HTTP status. A gRPC request gets the connection manager's
/// trailers-only gRPC shape (GRPC/GRPCLocalReply) with the abort's `grpc_status`, or the status
/// mapped from its HTTP status.
enum FaultLocalReply {
    static let body = "fault filter abort"
    static let details = "fault_filter_abort"

    static func send(_ stream: any HTTPFilterCallbacks, httpStatus: Int, grpcStatus: Int?) {
        stream.sendLocalReply(status: HTTPResponseStatus(statusCode: httpStatus), body: body, details: details,
                              flags: .faultInjected, headers: nil, grpcStatus: grpcStatus)
    }
}

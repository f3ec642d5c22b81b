/// gRPC status codes as they travel in `grpc-status`, and the mapping Envoy uses to turn an
/// HTTP status into one (`Grpc::Utility::httpToGrpcStatus`, after grpc's
/// doc/http-grpc-status-mapping.md).
public enum GRPCStatus {
    public static let ok = 0
    public static let unknown = 2
    public static let deadlineExceeded = 4
    public static let permissionDenied = 7
    public static let unimplemented = 12
    public static let `internal` = 13
    public static let unavailable = 14
    public static let unauthenticated = 16

    /// The status a gRPC client is given for a local reply with HTTP status `code`.
    public static func forHTTPStatus(_ code: Int) -> Int {
        switch code {
        case 400: return `internal`
        case 401: return unauthenticated
        case 403: return permissionDenied
        case 404: return unimplemented
        case 429, 502, 503, 504: return unavailable
        default: return unknown
        }
    }
}

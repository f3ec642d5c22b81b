import NIOCore
@testable import TernNetwork

/// A hand-built record for formatter tests: every field settable, headers by lowercase name.
final class TestAccessLogRecord: AccessLogRecord {
    var startTime: (seconds: Int, nanoseconds: Int) = (1_795_745_461, 123_456_789)  // 2026-11-27T02:11:01.123456789Z
    var durationNanoseconds: Int64 = 42_900_000
    var requestHeaders: [String: String] = [:]
    var responseHeaders: [String: String] = [:]
    var responseTrailers: [String: String] = [:]
    var protocolName: String?
    var responseCode = 0
    var responseCodeDetails: String?
    var responseFlags = ResponseFlags()
    var bytesReceived: UInt64 = 0
    var bytesSent: UInt64 = 0
    var upstreamHost: String?
    var upstreamCluster: String?
    var upstreamLocalAddress: SocketAddress?
    var downstreamRemoteAddress: SocketAddress?
    var downstreamLocalAddress: SocketAddress?
    var routeName: String?
    var responseDurationNanoseconds: Int64?
    var upstreamTransportFailureReason: String?
    var connectionTerminationDetails: String?
    var requestedServerName: String?

    func requestHeader(_ name: String) -> String? { requestHeaders[name] }
    func responseHeader(_ name: String) -> String? { responseHeaders[name] }
    func responseTrailer(_ name: String) -> String? { responseTrailers[name] }

    /// A typical HTTP request record.
    static func http() -> TestAccessLogRecord {
        let r = TestAccessLogRecord()
        r.requestHeaders = [":method": "GET", ":path": "/api/v1?x=1", ":authority": "example.com",
                            "user-agent": "curl/8.5.0", "x-request-id": "abc-123", "x-forwarded-for": "1.2.3.4"]
        r.responseHeaders = ["x-envoy-upstream-service-time": "15"]
        r.protocolName = "HTTP/1.1"
        r.responseCode = 200
        r.bytesReceived = 10
        r.bytesSent = 20
        r.upstreamHost = "10.0.0.2:8080"
        r.upstreamCluster = "backend"
        return r
    }
}

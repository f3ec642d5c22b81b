import Foundation
import NIOCore
import NIOHTTP1
import TernCore
import TernNetwork
import TernUpstream

/// The facts of one HTTP stream that logs and stats need: what was asked, what was answered,
/// which upstream served it and what went wrong. One per stream, filled as the stream runs.
public final class StreamInfo: AccessLogRecord {
    public let startTime: (seconds: Int, nanoseconds: Int)
    let startUptime: UInt64
    var endUptime: UInt64 = 0
    var firstUpstreamByteUptime: UInt64 = 0

    /// The request headers as forwarded (after filters and rewrites).
    public var request: HTTPRequestHead?
    public var response: HTTPResponseHead?
    public var trailers: HTTPHeaders?
    public var responseFlags: ResponseFlags = []
    public var responseCodeDetails: String?
    public var bytesReceived: UInt64 = 0
    public var bytesSent: UInt64 = 0
    public var host: TernUpstream.Host?
    public var upstreamCluster: String?
    public var upstreamLocalAddress: SocketAddress?
    public var routeName: String?
    public var upstreamTransportFailureReason: String?
    /// The client address trusted after `x-forwarded-for` processing (Envoy's downstream remote
    /// address, which `downstreamRemoteAddress` below falls back from to the direct peer). Set
    /// when the request head arrives; read by filters such as RBAC (`remote_ip`).
    public internal(set) var trustedDownstreamRemoteAddress: SocketAddress?
    public var connectionTerminationDetails: String?
    /// The connection's SNI (`%REQUESTED_SERVER_NAME%`).
    public var requestedServerName: String? { downstream.requestedServerName.isEmpty ? nil : downstream.requestedServerName }
    let downstream: DownstreamConnection
    private let clock: LoopClock

    init(downstream: DownstreamConnection, clock: LoopClock) {
        let ts = clock.wallClock
        startTime = (Int(ts.tv_sec), Int(ts.tv_nsec))
        startUptime = clock.uptimeNanoseconds
        self.downstream = downstream
        self.clock = clock
    }

    /// Marks the end of the stream (for `%DURATION%`).
    func finish() {
        if endUptime == 0 { endUptime = clock.uptimeNanoseconds }
    }

    func markFirstUpstreamByte() {
        if firstUpstreamByteUptime == 0 { firstUpstreamByteUptime = clock.uptimeNanoseconds }
    }

    // MARK: - AccessLogRecord

    public var durationNanoseconds: Int64 {
        Int64((endUptime == 0 ? clock.uptimeNanoseconds : endUptime) &- startUptime)
    }

    public var responseDurationNanoseconds: Int64? {
        firstUpstreamByteUptime == 0 ? nil : Int64(firstUpstreamByteUptime &- startUptime)
    }

    public func requestHeader(_ name: String) -> String? {
        guard let request else { return nil }
        switch name {
        case ":method": return request.method.rawValue
        case ":path": return request.uri
        case ":authority": return request.headers.first(name: "host")
        case ":scheme": return "http"
        default: return request.headers.first(name: name)
        }
    }

    public func responseHeader(_ name: String) -> String? {
        guard let response else { return nil }
        if name == ":status" { return String(response.status.code) }
        return response.headers.first(name: name)
    }

    public func responseTrailer(_ name: String) -> String? { trailers?.first(name: name) }

    public var protocolName: String? {
        guard let v = request?.version else { return nil }
        return v.major == 2 ? "HTTP/2" : "HTTP/\(v.major).\(v.minor)"
    }

    public var responseCode: Int { response.map { Int($0.status.code) } ?? 0 }
    public var upstreamHost: String? { host?.addressString }
    /// Envoy's downstream remote address: the trusted client, else the peer (source-IP hashing,
    /// `%DOWNSTREAM_REMOTE_ADDRESS%`).
    public var downstreamRemoteAddress: SocketAddress? { trustedDownstreamRemoteAddress ?? downstream.remoteAddress }
    public var downstreamDirectRemoteAddress: SocketAddress? { downstream.remoteAddress }
    public var downstreamLocalAddress: SocketAddress? { downstream.localAddress }
}

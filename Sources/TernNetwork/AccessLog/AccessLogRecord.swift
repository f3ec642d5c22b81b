import NIOCore

/// What an access log line draws from, whether an HTTP stream or a TCP session ended.
/// The connection manager and tcp_proxy implement it; formatters only read it, once per
/// finished stream, on the stream's event loop.
public protocol AccessLogRecord: AnyObject {
    /// Wall-clock start, seconds and nanoseconds since the epoch (`%START_TIME%`).
    var startTime: (seconds: Int, nanoseconds: Int) { get }
    /// Monotonic duration in nanoseconds until the stream ended (`%DURATION%`).
    var durationNanoseconds: Int64 { get }
    /// A request header by lowercase name; pseudo-headers `:method`, `:path`, `:authority`,
    /// `:scheme` too. Nil for TCP sessions.
    func requestHeader(_ name: String) -> String?
    func responseHeader(_ name: String) -> String?
    func responseTrailer(_ name: String) -> String?
    /// `HTTP/1.1`, `HTTP/1.0`, `HTTP/2`; nil for TCP (`-`).
    var protocolName: String? { get }
    /// 0 when no response was sent (TCP, or reset before headers).
    var responseCode: Int { get }
    var responseCodeDetails: String? { get }
    var responseFlags: ResponseFlags { get }
    var bytesReceived: UInt64 { get }
    var bytesSent: UInt64 { get }
    var upstreamHost: String? { get }
    var upstreamCluster: String? { get }
    var upstreamLocalAddress: SocketAddress? { get }
    /// The client as trusted after `x-forwarded-for` processing (`%DOWNSTREAM_REMOTE_ADDRESS%`).
    var downstreamRemoteAddress: SocketAddress? { get }
    /// The connection's peer (`%DOWNSTREAM_DIRECT_REMOTE_ADDRESS%`).
    var downstreamDirectRemoteAddress: SocketAddress? { get }
    var downstreamLocalAddress: SocketAddress? { get }
    var routeName: String? { get }
    /// Time from start to the first upstream response byte, nanoseconds (`%RESPONSE_DURATION%`).
    var responseDurationNanoseconds: Int64? { get }
    var upstreamTransportFailureReason: String? { get }
    var connectionTerminationDetails: String? { get }
    /// The SNI the client sent (`%REQUESTED_SERVER_NAME%`); nil when unknown.
    var requestedServerName: String? { get }
}

extension AccessLogRecord {
    /// Records that know of no SNI print `-`.
    public var requestedServerName: String? { nil }
}

/// A compiled access logger (`envoy.access_loggers.file`, `.stdout`, `.stderr`).
/// `log` runs on the stream's event loop and must not block: sinks buffer per worker.
public protocol AccessLogger: Sendable {
    func log(_ record: any AccessLogRecord, worker: Worker)
}

extension AccessLogRecord {
    /// Without HTTP's x-forwarded-for processing the trusted client is the peer.
    public var downstreamDirectRemoteAddress: SocketAddress? { downstreamRemoteAddress }
}

import NIOCore

// A TCP session as an access-log record: Envoy's TCP meanings (no protocol, response code 0,
// bytes received from and sent to the downstream, the connection's whole duration).
extension TCPProxyFilter: AccessLogRecord {
    var durationNanoseconds: Int64 {
        ((endTime ?? clock.now) - startDeadline).nanoseconds
    }

    func requestHeader(_ name: String) -> String? { nil }
    func responseHeader(_ name: String) -> String? { nil }
    func responseTrailer(_ name: String) -> String? { nil }

    var protocolName: String? { nil }
    var responseCode: Int { 0 }
    var responseCodeDetails: String? { nil }
    var responseFlags: ResponseFlags { flags }
    var bytesReceived: UInt64 { received }
    var bytesSent: UInt64 { sent }
    var upstreamHost: String? { host?.addressString }
    var upstreamCluster: String? { cluster?.config.name }
    var upstreamLocalAddress: SocketAddress? { upstreamLocal }
    var downstreamRemoteAddress: SocketAddress? { connection.remoteAddress }
    var downstreamLocalAddress: SocketAddress? { connection.localAddress }
    var routeName: String? { nil }
    var responseDurationNanoseconds: Int64? { nil }
    var upstreamTransportFailureReason: String? { failureReason }
    var connectionTerminationDetails: String? { terminationDetails }
    var requestedServerName: String? { connection.requestedServerName.isEmpty ? nil : connection.requestedServerName }
}

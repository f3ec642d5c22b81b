import TernCore

/// Envoy's `tcp.<stat_prefix>.*` stats (tag `envoy_tcp_prefix`). The cluster's `upstream_cx_*`
/// stats live in `ClusterStats`; the listener's `downstream_cx_*` are the listener manager's.
public final class TCPProxyStats: Sendable {
    public let downstreamCxTotal: Counter
    public let downstreamCxNoRoute: Counter
    public let downstreamCxTxBytesTotal: Counter
    public let downstreamCxRxBytesTotal: Counter
    public let downstreamFlowControlPausedReadingTotal: Counter
    public let downstreamFlowControlResumedReadingTotal: Counter
    public let idleTimeout: Counter
    public let maxDownstreamConnectionDuration: Counter
    public let upstreamFlushTotal: Counter
    public let upstreamCxConnectAttemptsExceeded: Counter

    public init(root: StatScope, statPrefix: String) {
        let s = root.scope("tcp.", tag: "envoy_tcp_prefix", value: statPrefix)
        downstreamCxTotal = s.counter("downstream_cx_total")
        downstreamCxNoRoute = s.counter("downstream_cx_no_route")
        downstreamCxTxBytesTotal = s.counter("downstream_cx_tx_bytes_total")
        downstreamCxRxBytesTotal = s.counter("downstream_cx_rx_bytes_total")
        downstreamFlowControlPausedReadingTotal = s.counter("downstream_flow_control_paused_reading_total")
        downstreamFlowControlResumedReadingTotal = s.counter("downstream_flow_control_resumed_reading_total")
        idleTimeout = s.counter("idle_timeout")
        maxDownstreamConnectionDuration = s.counter("max_downstream_connection_duration")
        upstreamFlushTotal = s.counter("upstream_flush_total")
        upstreamCxConnectAttemptsExceeded = s.counter("upstream_cx_connect_attempts_exceeded")
    }
}

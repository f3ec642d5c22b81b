import TernCore

/// Envoy's `cluster.<name>.*` stats that the foundation data path maintains.
public final class ClusterStats: Sendable {
    public let upstreamCxTotal: Counter
    public let upstreamCxActive: Gauge
    public let upstreamCxConnectFail: Counter
    public let upstreamCxConnectTimeout: Counter
    public let upstreamCxDestroy: Counter
    public let upstreamCxDestroyRemote: Counter
    public let upstreamCxDestroyLocal: Counter
    public let upstreamCxRxBytesTotal: Counter
    public let upstreamCxTxBytesTotal: Counter
    public let upstreamCxNoneHealthy: Counter
    public let upstreamCxIdleTimeout: Counter
    public let upstreamCxMaxRequests: Counter
    public let upstreamCxHTTP1Total: Counter
    public let upstreamCxHTTP2Total: Counter
    /// Connections closed by a GOAWAY (or HTTP/1.1 `connection: close`) from the upstream.
    public let upstreamCxCloseNotify: Counter
    public let upstreamCxProtocolError: Counter
    /// `cluster.<name>.http2.rx_reset` / `tx_reset`: RST_STREAM received from / sent to upstream.
    public let http2RxReset: Counter
    public let http2TxReset: Counter
    public let upstreamRqTotal: Counter
    public let upstreamRqActive: Gauge
    public let upstreamRqPendingTotal: Counter
    public let upstreamRqPendingActive: Gauge
    public let upstreamRqCompleted: Counter
    public let upstreamRqTimeout: Counter
    public let upstreamRqRxReset: Counter
    public let upstreamRqTxReset: Counter
    public let upstreamCodes: CodeStats
    public let membershipTotal: Gauge
    public let membershipHealthy: Gauge
    public let updateSuccess: Counter
    public let updateFailure: Counter

    public init(root: StatScope, statName: String) {
        let s = root.scope("cluster.", tag: "envoy_cluster_name", value: statName)
        upstreamCxTotal = s.counter("upstream_cx_total")
        upstreamCxActive = s.gauge("upstream_cx_active")
        upstreamCxConnectFail = s.counter("upstream_cx_connect_fail")
        upstreamCxConnectTimeout = s.counter("upstream_cx_connect_timeout")
        upstreamCxDestroy = s.counter("upstream_cx_destroy")
        upstreamCxDestroyRemote = s.counter("upstream_cx_destroy_remote")
        upstreamCxDestroyLocal = s.counter("upstream_cx_destroy_local")
        upstreamCxRxBytesTotal = s.counter("upstream_cx_rx_bytes_total")
        upstreamCxTxBytesTotal = s.counter("upstream_cx_tx_bytes_total")
        upstreamCxNoneHealthy = s.counter("upstream_cx_none_healthy")
        upstreamCxIdleTimeout = s.counter("upstream_cx_idle_timeout")
        upstreamCxMaxRequests = s.counter("upstream_cx_max_requests")
        upstreamCxHTTP1Total = s.counter("upstream_cx_http1_total")
        upstreamCxHTTP2Total = s.counter("upstream_cx_http2_total")
        upstreamCxCloseNotify = s.counter("upstream_cx_close_notify")
        upstreamCxProtocolError = s.counter("upstream_cx_protocol_error")
        http2RxReset = s.counter("http2.rx_reset")
        http2TxReset = s.counter("http2.tx_reset")
        upstreamRqTotal = s.counter("upstream_rq_total")
        upstreamRqActive = s.gauge("upstream_rq_active")
        upstreamRqPendingTotal = s.counter("upstream_rq_pending_total")
        upstreamRqPendingActive = s.gauge("upstream_rq_pending_active")
        upstreamRqCompleted = s.counter("upstream_rq_completed")
        upstreamRqTimeout = s.counter("upstream_rq_timeout")
        upstreamRqRxReset = s.counter("upstream_rq_rx_reset")
        upstreamRqTxReset = s.counter("upstream_rq_tx_reset")
        upstreamCodes = CodeStats(scope: s, prefix: "upstream_rq_")
        membershipTotal = s.gauge("membership_total")
        membershipHealthy = s.gauge("membership_healthy")
        updateSuccess = s.counter("update_success")
        updateFailure = s.counter("update_failure")
    }
}

import TernCore

/// Envoy's `http.<stat_prefix>.*` stats (tag `envoy_http_conn_manager_prefix`), including the
/// router's `no_route`, `no_cluster`, `rq_redirect`, `rq_direct_response` which Envoy also keeps
/// under the connection manager's prefix.
public final class HTTPConnectionManagerStats: Sendable {
    public let downstreamCxTotal: Counter
    public let downstreamCxActive: Gauge
    public let downstreamCxHTTP1Total: Counter
    public let downstreamCxHTTP1Active: Gauge
    public let downstreamCxHTTP2Total: Counter
    public let downstreamCxHTTP2Active: Gauge
    public let downstreamCxDestroy: Counter
    public let downstreamCxDestroyRemote: Counter
    public let downstreamCxDestroyLocal: Counter
    public let downstreamCxDestroyActiveRq: Counter
    public let downstreamCxRxBytesTotal: Counter
    public let downstreamCxTxBytesTotal: Counter
    public let downstreamCxProtocolError: Counter
    public let downstreamCxIdleTimeout: Counter
    public let downstreamCxDrainClose: Counter
    public let downstreamCxMaxRequestsReached: Counter
    public let downstreamCxUpgradesTotal: Counter
    public let downstreamCxUpgradesActive: Gauge
    public let downstreamRqTotal: Counter
    public let downstreamRqHTTP1Total: Counter
    public let downstreamRqHTTP2Total: Counter
    public let downstreamRqActive: Gauge
    public let downstreamRqCompleted: Counter
    public let downstreamRqCodes: CodeStats
    public let downstreamRqTimeout: Counter
    public let downstreamRqIdleTimeout: Counter
    public let downstreamRqMaxDurationReached: Counter
    public let downstreamRqRxReset: Counter
    public let downstreamRqTxReset: Counter
    public let downstreamRqTooLarge: Counter
    public let downstreamRqWsOnNonWsRoute: Counter
    public let downstreamRqResponseBeforeRqComplete: Counter
    public let downstreamRqHeaderTimeout: Counter
    public let noRoute: Counter
    public let noCluster: Counter
    public let rqRedirect: Counter
    public let rqDirectResponse: Counter
    public let rqTotal: Counter
    public let rqResetAfterDownstreamResponseStarted: Counter

    public init(root: StatScope, statPrefix: String) {
        let s = root.scope("http.", tag: "envoy_http_conn_manager_prefix", value: statPrefix)
        downstreamCxTotal = s.counter("downstream_cx_total")
        downstreamCxActive = s.gauge("downstream_cx_active")
        downstreamCxHTTP1Total = s.counter("downstream_cx_http1_total")
        downstreamCxHTTP1Active = s.gauge("downstream_cx_http1_active")
        downstreamCxHTTP2Total = s.counter("downstream_cx_http2_total")
        downstreamCxHTTP2Active = s.gauge("downstream_cx_http2_active")
        downstreamCxDestroy = s.counter("downstream_cx_destroy")
        downstreamCxDestroyRemote = s.counter("downstream_cx_destroy_remote")
        downstreamCxDestroyLocal = s.counter("downstream_cx_destroy_local")
        downstreamCxDestroyActiveRq = s.counter("downstream_cx_destroy_active_rq")
        downstreamCxRxBytesTotal = s.counter("downstream_cx_rx_bytes_total")
        downstreamCxTxBytesTotal = s.counter("downstream_cx_tx_bytes_total")
        downstreamCxProtocolError = s.counter("downstream_cx_protocol_error")
        downstreamCxIdleTimeout = s.counter("downstream_cx_idle_timeout")
        downstreamCxDrainClose = s.counter("downstream_cx_drain_close")
        downstreamCxMaxRequestsReached = s.counter("downstream_cx_max_requests_reached")
        downstreamCxUpgradesTotal = s.counter("downstream_cx_upgrades_total")
        downstreamCxUpgradesActive = s.gauge("downstream_cx_upgrades_active")
        downstreamRqTotal = s.counter("downstream_rq_total")
        downstreamRqHTTP1Total = s.counter("downstream_rq_http1_total")
        downstreamRqHTTP2Total = s.counter("downstream_rq_http2_total")
        downstreamRqActive = s.gauge("downstream_rq_active")
        downstreamRqCompleted = s.counter("downstream_rq_completed")
        downstreamRqCodes = CodeStats(scope: s, prefix: "downstream_rq_", exactCodes: false)
        downstreamRqTimeout = s.counter("downstream_rq_timeout")
        downstreamRqIdleTimeout = s.counter("downstream_rq_idle_timeout")
        downstreamRqMaxDurationReached = s.counter("downstream_rq_max_duration_reached")
        downstreamRqRxReset = s.counter("downstream_rq_rx_reset")
        downstreamRqTxReset = s.counter("downstream_rq_tx_reset")
        downstreamRqTooLarge = s.counter("downstream_rq_too_large")
        downstreamRqWsOnNonWsRoute = s.counter("downstream_rq_ws_on_non_ws_route")
        downstreamRqResponseBeforeRqComplete = s.counter("downstream_rq_response_before_rq_complete")
        downstreamRqHeaderTimeout = s.counter("downstream_rq_header_timeout")
        noRoute = s.counter("no_route")
        noCluster = s.counter("no_cluster")
        rqRedirect = s.counter("rq_redirect")
        rqDirectResponse = s.counter("rq_direct_response")
        rqTotal = s.counter("rq_total")
        rqResetAfterDownstreamResponseStarted = s.counter("rq_reset_after_downstream_response_started")
    }
}

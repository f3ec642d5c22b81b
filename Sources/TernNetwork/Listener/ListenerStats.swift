import TernCore

/// Envoy's `listener.<address>.*` stats (tag `envoy_listener_address`).
public final class ListenerStats: Sendable {
    public let downstreamCxTotal: Counter
    public let downstreamCxActive: Gauge
    public let downstreamCxDestroy: Counter
    public let noFilterChainMatch: Counter
    /// Sockets in the listener-filter phase (accepted, no chain chosen yet).
    public let downstreamPreCxActive: Gauge
    /// Sockets whose listener filters did not finish within `listener_filters_timeout`.
    public let downstreamPreCxTimeout: Counter
    /// Sockets the peer closed during the listener-filter phase.
    public let downstreamListenerFilterRemoteClose: Counter
    /// Sockets that failed (reset, read error) during the listener-filter phase.
    public let downstreamListenerFilterError: Counter

    /// `statPrefix` is the listener's `stat_prefix`, or its address as Envoy spells it (`0.0.0.0_10000`).
    public init(root: StatScope, statPrefix: String) {
        let s = root.scope("listener.", tag: "envoy_listener_address", value: statPrefix)
        downstreamCxTotal = s.counter("downstream_cx_total")
        downstreamCxActive = s.gauge("downstream_cx_active")
        downstreamCxDestroy = s.counter("downstream_cx_destroy")
        noFilterChainMatch = s.counter("no_filter_chain_match")
        downstreamPreCxActive = s.gauge("downstream_pre_cx_active")
        downstreamPreCxTimeout = s.counter("downstream_pre_cx_timeout")
        downstreamListenerFilterRemoteClose = s.counter("downstream_listener_filter_remote_close")
        downstreamListenerFilterError = s.counter("downstream_listener_filter_error")
    }
}

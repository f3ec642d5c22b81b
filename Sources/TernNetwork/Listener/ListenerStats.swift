import TernCore

/// Envoy's `listener.<address>.*` stats (tag `envoy_listener_address`).
public final class ListenerStats: Sendable {
    public let downstreamCxTotal: Counter
    public let downstreamCxActive: Gauge
    public let downstreamCxDestroy: Counter
    public let noFilterChainMatch: Counter

    /// `statPrefix` is the listener's `stat_prefix`, or its address as Envoy spells it (`0.0.0.0_10000`).
    public init(root: StatScope, statPrefix: String) {
        let s = root.scope("listener.", tag: "envoy_listener_address", value: statPrefix)
        downstreamCxTotal = s.counter("downstream_cx_total")
        downstreamCxActive = s.gauge("downstream_cx_active")
        downstreamCxDestroy = s.counter("downstream_cx_destroy")
        noFilterChainMatch = s.counter("no_filter_chain_match")
    }
}

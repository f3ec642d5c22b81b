import TernCore

/// The degradation filter's counters under `http.<stat_prefix>.degradation.`: why routes
/// degraded and which fallback answered.
final class DegradationStats: Sendable {
    let noHealthyUpstream: Counter
    let circuitOpen: Counter
    let fallbackDirectResponse: Counter
    let fallbackCluster: Counter

    init(root: StatScope, connectionManagerPrefix: String) {
        let s = root.scope("http.", tag: "envoy_http_conn_manager_prefix", value: connectionManagerPrefix).scope("degradation.")
        noHealthyUpstream = s.counter("no_healthy_upstream")
        circuitOpen = s.counter("circuit_open")
        fallbackDirectResponse = s.counter("fallback_direct_response")
        fallbackCluster = s.counter("fallback_cluster")
    }
}

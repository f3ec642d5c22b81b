import TernCore

/// Envoy's `cluster.<name>.health_check.*` stats.
public final class HealthCheckStats: Sendable {
    public let attempt: Counter
    public let success: Counter
    public let failure: Counter
    /// Failures reported by the data path; Tern has no passive health-check source yet, so 0.
    public let passiveFailure: Counter
    public let networkFailure: Counter
    /// Envoy's `verify_cluster` (the checked host answered for another cluster); always 0 in Tern.
    public let verifyCluster: Counter
    /// Hosts not failing active health checking.
    public let healthy: Gauge
    /// Hosts reported degraded (`x-envoy-degraded`).
    public let degraded: Gauge

    public init(root: StatScope, statName: String) {
        let s = root.scope("cluster.", tag: "envoy_cluster_name", value: statName).scope("health_check.")
        attempt = s.counter("attempt")
        success = s.counter("success")
        failure = s.counter("failure")
        passiveFailure = s.counter("passive_failure")
        networkFailure = s.counter("network_failure")
        verifyCluster = s.counter("verify_cluster")
        healthy = s.gauge("healthy")
        degraded = s.gauge("degraded")
    }
}

import TernCore

/// A cluster's `circuit_breakers`, compiled: one `ResourceManager` per priority and the
/// per-host connection limit. Made with the `ClusterConfig`, so a reload that changes the cluster
/// starts new counts while connections of the old config release into the old ones.
public final class ClusterCircuitBreakers: Sendable {
    private let managers: [ResourceManager]
    /// `per_host_thresholds[].max_connections` by priority; nil: no per-host limit.
    private let perHostMaxConnections: [Int?]
    /// The overflow and retry counters of the cluster.
    public let stats: ResilienceStats

    /// `thresholds` and `perHost` are indexed by `ResourcePriority.rawValue`.
    public init(thresholds: [CircuitBreakerThresholds], perHostMaxConnections: [Int?], root: StatScope, statName: String) {
        let cluster = root.scope("cluster.", tag: "envoy_cluster_name", value: statName)
        let cb = cluster.scope("circuit_breakers.")
        managers = ResourcePriority.allCases.map { p in
            ResourceManager(p.rawValue < thresholds.count ? thresholds[p.rawValue] : CircuitBreakerThresholds(),
                            scope: cb.scope(p.statName + "."))
        }
        self.perHostMaxConnections = ResourcePriority.allCases.map {
            $0.rawValue < perHostMaxConnections.count ? perHostMaxConnections[$0.rawValue] : nil
        }
        stats = ResilienceStats(scope: cluster)
    }

    /// Envoy's defaults (1024/1024/1024/3), counted in a private stats store: for configs built
    /// without the compiler (tests).
    public convenience init() {
        self.init(thresholds: [], perHostMaxConnections: [], root: StatsStore(workers: 1).root, statName: "unnamed")
    }

    public func manager(_ priority: ResourcePriority) -> ResourceManager { managers[priority.rawValue] }

    /// Whether `host`, with `active` open connections, may get one more at `priority`.
    /// Envoy's per-host limit counts connections; this one uses the host's active count plus
    /// the caller's own connects in flight, so it can overshoot by connects racing on other workers.
    public func hostAllowsConnection(_ priority: ResourcePriority, active: Int) -> Bool {
        guard let max = perHostMaxConnections[priority.rawValue] else { return true }
        return active < max
    }
}

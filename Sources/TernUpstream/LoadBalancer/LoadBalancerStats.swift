import Synchronization
import TernCore

/// Envoy's `cluster.<name>.lb_*` stats for the balancing Tern does.
public final class LoadBalancerStats: Sendable {
    /// Picks made among all hosts of a priority because too few were healthy.
    public let lbHealthyPanic: Counter
    /// Subsets that currently have hosts.
    public let lbSubsetsActive: Gauge
    public let lbSubsetsCreated: Counter
    public let lbSubsetsRemoved: Counter
    /// Picks served by the subset the route's `metadata_match` named.
    public let lbSubsetsSelected: Counter
    /// Picks served by the fallback policy.
    public let lbSubsetsFallback: Counter
    /// Subsets of the latest publication, to count created and removed ones.
    private let subsets = Mutex<Set<String>>([])

    public init(root: StatScope, statName: String) {
        let s = root.scope("cluster.", tag: "envoy_cluster_name", value: statName)
        lbHealthyPanic = s.counter("lb_healthy_panic")
        lbSubsetsActive = s.gauge("lb_subsets_active")
        lbSubsetsCreated = s.counter("lb_subsets_created")
        lbSubsetsRemoved = s.counter("lb_subsets_removed")
        lbSubsetsSelected = s.counter("lb_subsets_selected")
        lbSubsetsFallback = s.counter("lb_subsets_fallback")
    }

    /// Records the subsets of a new host-set publication (off the request path): counts those
    /// that appeared and disappeared since the previous one and sets the active gauge.
    func recordSubsets(_ current: Set<String>) {
        let (added, removed) = subsets.withLock { known -> (Int, Int) in
            defer { known = current }
            return (current.subtracting(known).count, known.subtracting(current).count)
        }
        if added > 0 { lbSubsetsCreated.incShared(by: UInt64(added)) }
        if removed > 0 { lbSubsetsRemoved.incShared(by: UInt64(removed)) }
        lbSubsetsActive.set(Int64(current.count))
    }
}

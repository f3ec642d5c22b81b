/// Envoy's ROUND_ROBIN over a host set, weighted by `load_balancing_weight`. One per worker and
/// cluster: plain state, no locks, because only its event loop calls it.
public struct RoundRobinLoadBalancer {
    private var next = 0

    public init(seed: Int = 0) { next = seed }

    /// The next host, or nil when the set is empty.
    public mutating func choose(from set: HostSet, skipping excluded: Host? = nil) -> Host? {
        let hosts = set.weighted
        guard !hosts.isEmpty else { return nil }
        if next >= hosts.count { next = 0 }
        var host = hosts[next]
        next += 1
        if let excluded, host === excluded, hosts.count > 1 {
            if next >= hosts.count { next = 0 }
            host = hosts[next]
            next += 1
        }
        return host
    }
}

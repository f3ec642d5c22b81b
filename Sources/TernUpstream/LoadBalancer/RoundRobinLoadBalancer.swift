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
        if let excluded, host === excluded {
            // A weighted set repeats hosts, so the next entry may be the excluded host again:
            // look at most one lap ahead for another.
            for _ in 1..<hosts.count {
                if next >= hosts.count { next = 0 }
                let candidate = hosts[next]
                next += 1
                if candidate !== excluded {
                    host = candidate
                    break
                }
            }
        }
        return host
    }
}

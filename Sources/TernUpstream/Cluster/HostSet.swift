/// The hosts of one cluster at one moment, published by the cluster manager to every worker,
/// with everything balancers precompute from them: priority levels and their load split, healthy
/// and per-locality lists, subsets and hash rings or Maglev tables.
///
/// Built off the request path (on the control loop) each time hosts or their health change, and
/// shared read-only by every worker; a worker's balancer keeps only cursors and a random source.
public struct HostSet: Sendable {
    public let hosts: [Host]
    public let config: LoadBalancerConfig
    /// All hosts by priority.
    public let prioritySet: PrioritySet
    /// Subsets when `lb_subset_config` is set.
    let subsets: SubsetMap?
    /// Number of round-robin cursors the lists of this set use (see `HostList.cursor`).
    let cursorCount: Int

    /// Uses the balancing config the hosts carry (`Host.lb.config`), so a set rebuilt from the
    /// same hosts after a health change balances as the first one did.
    public init(hosts: [Host]) {
        self.init(hosts: hosts, config: hosts.first?.lb.config ?? .default)
    }

    public init(hosts: [Host], config: LoadBalancerConfig) {
        self.hosts = hosts
        self.config = config
        var cursor = 0
        prioritySet = PrioritySet(hosts: hosts, config: config, cursor: &cursor)
        if let subset = config.subset, !hosts.isEmpty {
            subsets = SubsetMap(hosts: hosts, config: config, subset: subset, cursor: &cursor)
        } else {
            subsets = nil
        }
        cursorCount = cursor
    }

    public static let empty = HostSet(hosts: [])
}

import NIOCore

/// One cluster as one worker sees it: its config, the latest host set, the worker's load
/// balancer state and its connection pools. Touched only on its event loop.
public final class WorkerCluster {
    public let config: ClusterConfig
    public private(set) var hostSet: HostSet
    private var lb: ClusterLoadBalancer
    /// Pools by (host, protocol key). A protocol picks its own key (HTTP/1.1 = 1, ...).
    private var pools: [PoolKey: any UpstreamConnectionPool] = [:]
    public let worker: Int

    struct PoolKey: Hashable {
        let host: ObjectIdentifier
        let proto: Int
    }

    init(config: ClusterConfig, hostSet: HostSet, worker: Int) {
        self.config = config
        self.hostSet = hostSet
        self.worker = worker
        self.lb = ClusterLoadBalancer(seed: worker)
        lb.reset(for: hostSet)
    }

    /// Picks a host with the cluster's load balancer, other than `excluding` while another
    /// exists (tcp_proxy's connect retries); nil when the cluster has none to use.
    public func chooseHost(excluding: Host? = nil) -> Host? {
        lb.choose(from: hostSet, context: LoadBalancerContext(previousHosts: excluding.map { [$0] } ?? []), worker: worker)
    }

    /// Picks a host for a request described by `context` (hash key, subset criteria, hosts of
    /// earlier attempts); nil when the cluster has none to use.
    public func chooseHost(context: LoadBalancerContext) -> Host? {
        lb.choose(from: hostSet, context: context, worker: worker)
    }

    /// The pool for `host` and protocol `proto`, made with `make` the first time.
    public func pool<P: UpstreamConnectionPool>(for host: Host, proto: Int, make: () -> P) -> P {
        let key = PoolKey(host: ObjectIdentifier(host), proto: proto)
        if let existing = pools[key] as? P { return existing }
        let p = make()
        pools[key] = p
        return p
    }

    /// Total connections across this worker's pools (tests, `/clusters`).
    public var connectionCount: Int { pools.values.reduce(0) { $0 + $1.connectionCount } }

    func update(hostSet newSet: HostSet) {
        let kept = Set(newSet.hosts.map { ObjectIdentifier($0) })
        for (key, pool) in pools where !kept.contains(key.host) {
            pool.drain()
            pools[key] = nil
        }
        hostSet = newSet
        lb.reset(for: newSet)
    }

    func drain() {
        for pool in pools.values { pool.drain() }
        pools.removeAll()
    }
}

import NIOCore

/// A worker's view of every cluster. Only its event loop touches it; the process-wide
/// `ClusterManager` posts changes to it with `eventLoop.execute`.
public final class WorkerClusterManager {
    public let worker: Int
    public let eventLoop: any EventLoop
    private var clusters: [String: WorkerCluster] = [:]

    public init(worker: Int, eventLoop: any EventLoop) {
        self.worker = worker
        self.eventLoop = eventLoop
    }

    /// The cluster named `name`, or nil when no such cluster exists now.
    public func cluster(_ name: String) -> WorkerCluster? { clusters[name] }

    /// Installs or replaces a cluster. A replaced cluster's pools drain; its stats live on.
    func install(_ config: ClusterConfig, hostSet: HostSet) {
        if let old = clusters[config.name] { old.drain() }
        clusters[config.name] = WorkerCluster(config: config, hostSet: hostSet, worker: worker)
    }

    func update(name: String, hostSet: HostSet) {
        clusters[name]?.update(hostSet: hostSet)
    }

    func remove(_ name: String) {
        clusters.removeValue(forKey: name)?.drain()
    }

    /// Open upstream connections over every cluster (tests).
    public var connectionCount: Int { clusters.values.reduce(0) { $0 + $1.connectionCount } }
}

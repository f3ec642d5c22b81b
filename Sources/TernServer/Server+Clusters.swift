import NIOCore
import TernNetwork
import TernUpstream

extension Server {
    /// The process-wide cluster manager over every worker's `WorkerClusterManager`.
    ///
    /// Built on the first worker's loop: `ClusterManager.init` as committed wraps each worker's
    /// manager in a `NIOLoopBound`, whose initializer must run on that manager's loop, so this is
    /// correct for one worker only; more workers need TernUpstream to keep the managers without
    /// that check (reported; a version with an unchecked per-worker reference was seen mid-edit).
    func makeClusterManager(pool: WorkerPool, resolver: DNSResolver) async throws -> ClusterManager {
        let managers = try await pool.onEachWorker { UncheckedTransfer($0.worker.clusters) }.get()
        let control = pool.controlLoop
        return try await pool.eventLoops[0].submit {
            ClusterManager(workers: managers.map(\.value), controlLoop: control, resolver: resolver)
        }.get()
    }

    /// Applies `clusters` and waits until the new ones are warm (first DNS answer); counts
    /// Envoy's `cluster_manager.cluster_added/modified/removed` and `active_clusters`.
    func applyClusters(_ clusters: [ClusterConfig], previous: [ClusterConfig], manager: ClusterManager) async throws {
        let old = Dictionary(previous.map { ($0.name, $0.fingerprint) }, uniquingKeysWith: { a, _ in a })
        let names = Set(clusters.map(\.name))
        for cluster in clusters {
            if let fingerprint = old[cluster.name] {
                if fingerprint != cluster.fingerprint { serverStats.clusterModified.incShared() }
            } else {
                serverStats.clusterAdded.incShared()
            }
        }
        for name in old.keys where !names.contains(name) { serverStats.clusterRemoved.incShared() }
        try await manager.apply(clusters, removalDelay: options.drainTime).get()
        serverStats.activeClusters.set(Int64(clusters.count))
    }
}

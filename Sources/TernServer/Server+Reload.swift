import NIOCore
import TernNetwork
import TernUpstream

extension Server {
    /// Reloads the config file (SIGHUP, `--watch`): load, validate and compile it next to the running
    /// config; on success apply clusters first (so listeners never route to a missing cluster), then
    /// listeners. A failure is logged with its field path and changes nothing.
    @discardableResult
    public func reload(reason: String = "reload requested") async -> ReloadResult {
        guard state != .preInitializing, state != .initializing, !stopping,
              let clusterManager, let listenerManager else { return .notRunning }
        if reloadRunning {
            reloadPending = true
            return .coalesced
        }
        reloadRunning = true
        defer { reloadRunning = false }
        var result = await reloadOnce(reason: reason, clusters: clusterManager, listeners: listenerManager)
        while reloadPending, !stopping {
            reloadPending = false
            result = await reloadOnce(reason: "change during reload", clusters: clusterManager, listeners: listenerManager)
        }
        return result
    }

    private func reloadOnce(reason: String, clusters: ClusterManager, listeners: ListenerManager) async -> ReloadResult {
        logger.info("reloading config: \(reason)")
        let next: Snapshot
        do {
            next = try loader.load(stats: stats)
        } catch {
            serverStats.reloadFailure.incShared()
            let text = SnapshotLoader.describe(error)
            logger.error("config reload rejected, keeping the running config: \(text)")
            return .rejected(text)
        }
        for warning in next.warnings { logger.warning("config: \(warning)") }
        let previous = snapshot
        if let old = previous?.admin, old != next.admin {
            logger.warning("admin: changes to the admin block take effect only after a restart")
        }
        do {
            try await applyClusters(next.clusters, previous: previous?.clusters ?? [], manager: clusters)
        } catch {
            serverStats.reloadFailure.incShared()
            logger.error("config reload: applying clusters failed: \(error)")
            return .rejected("\(error)")
        }
        let report = await listeners.apply(next.listeners, inbound: next.inboundListenerNames)
        publish(next)
        if report.failures.isEmpty {
            serverStats.reloadSuccess.incShared()
            let summary = "added \(report.added), replaced \(report.replaced), "
                + "updated in place \(report.updatedInPlace), removed \(report.removed)"
            logger.info("config reloaded: listeners \(summary)")
        } else {
            serverStats.reloadFailure.incShared()
            for failure in report.failures { logger.error("config reload: listener \(failure)") }
        }
        return .applied(report)
    }
}

import Logging
import NIOConcurrencyHelpers
import NIOCore
import TernCore

/// The process-wide owner of clusters: applies compiled cluster configs, resolves DNS clusters
/// off the data path, and posts every change to each worker's `WorkerClusterManager`.
/// Workers read only their own copy, so the request path never takes this lock.
public final class ClusterManager: Sendable {
    private let workers: [WorkerRef]
    private let controlLoop: any EventLoop
    private let resolver: DNSResolver
    private let state = NIOLockedValueBox(State())
    private let logger = TernLogging.logger("upstream")

    private struct State {
        var entries: [String: Entry] = [:]
    }

    private struct Entry {
        var config: ClusterConfig
        var hostSet: HostSet
        var refresh: Scheduled<Void>?
        var generation: Int
        /// Active health checker and outlier detector, stopped when the entry is replaced or removed.
        var health: ClusterHealth? = nil
    }

    /// `workers` are the per-loop managers, each bound to its loop; `controlLoop` runs DNS timers.
    public init(workers: [WorkerClusterManager], controlLoop: any EventLoop, resolver: DNSResolver) {
        self.workers = workers.map { WorkerRef(manager: $0, eventLoop: $0.eventLoop) }
        self.controlLoop = controlLoop
        self.resolver = resolver
    }

    /// Makes `configs` the cluster set: new and changed clusters are installed, unchanged ones
    /// keep their state, missing ones are removed. Completes when every new cluster has its first
    /// host set (DNS answered or failed), which is when Envoy considers clusters warmed.
    ///
    /// A removed cluster disappears from `current()` at once but stays on the workers for
    /// `removalDelay`: connections that still run the previous listener config route to it
    /// until they drain, and must not fail meanwhile. Re-adding it cancels the removal.
    public func apply(_ configs: [ClusterConfig], removalDelay: TimeAmount = .zero) -> EventLoopFuture<Void> {
        let names = Set(configs.map(\.name))
        var toInstall: [ClusterConfig] = []
        let removed: [String] = state.withLockedValue { s in
            var gone: [String] = []
            for (name, entry) in s.entries where !names.contains(name) {
                entry.refresh?.cancel()
                entry.health?.stop()
                gone.append(name)
            }
            for name in gone { s.entries[name] = nil }
            for config in configs {
                if let existing = s.entries[config.name], existing.config.fingerprint == config.fingerprint { continue }
                s.entries[config.name]?.refresh?.cancel()
                s.entries[config.name]?.health?.stop()
                let generation = (s.entries[config.name]?.generation ?? 0) + 1
                let name = config.name
                let health = ClusterHealth.make(config, loop: controlLoop) { [weak self] in self?.hostHealthChanged(cluster: name) }
                s.entries[config.name] = Entry(config: config, hostSet: .empty, refresh: nil, generation: generation,
                                               health: health)
                toInstall.append(config)
            }
            return gone
        }
        for name in removed {
            logger.info("removing cluster \(name)")
            if removalDelay == .zero {
                broadcast { $0.remove(name) }
            } else {
                controlLoop.scheduleTask(in: removalDelay) {
                    // Only if nobody added it back meanwhile.
                    if self.state.withLockedValue({ $0.entries[name] == nil }) { self.broadcast { $0.remove(name) } }
                }
            }
        }
        let futures = toInstall.map { config -> EventLoopFuture<Void> in
            resolveHosts(config, previous: .empty).flatMap { hostSet in
                defer { self.scheduleRefresh(config) }
                // Completes once every worker has the cluster, so a listener swapped in after
                // this never routes to a cluster a worker does not know yet.
                return self.publish(config, hostSet: hostSet, install: true)
            }
        }
        return EventLoopFuture.andAllComplete(futures, on: controlLoop)
    }

    /// The clusters and their hosts now (admin `/clusters`, `/config_dump`).
    public func current() -> [(config: ClusterConfig, hosts: HostSet)] {
        state.withLockedValue { s in
            s.entries.values.sorted { $0.config.name < $1.config.name }.map { ($0.config, $0.hostSet) }
        }
    }

    /// The cluster's active health checker and outlier detector (`/clusters`); nil when it has neither.
    public func health(of name: String) -> ClusterHealth? {
        state.withLockedValue { $0.entries[name]?.health }
    }

    /// Republishes `cluster`'s current hosts after a health flag of one of them changed, so each
    /// worker gets a host set (and load balancer view) computed with the new health.
    public func hostHealthChanged(cluster name: String) {
        guard let entry = state.withLockedValue({ $0.entries[name] }) else { return }
        publish(entry.config, hostSet: HostSet(hosts: entry.hostSet.hosts), install: false)
    }

    /// Stops DNS refresh timers.
    public func shutdown() {
        state.withLockedValue { s in
            for entry in s.entries.values {
                entry.refresh?.cancel()
                entry.health?.stop()
            }
        }
    }

    // MARK: - hosts

    private func resolveHosts(_ config: ClusterConfig, previous: HostSet) -> EventLoopFuture<HostSet> {
        let lookups = config.endpoints.map { ep in
            resolver.resolve(ep.address, port: ep.port, family: config.dnsLookupFamily, on: controlLoop)
                .map { Optional($0) }
                .recover { error in
                    self.logger.warning("cluster \(config.name): \(error)")
                    config.stats.updateFailure.incShared()
                    return nil
                }
        }
        return EventLoopFuture.whenAllSucceed(lookups, on: controlLoop).map { results in
            var hosts: [Host] = []
            let health = self.state.withLockedValue { s in
                s.entries[config.name].flatMap { $0.config.fingerprint == config.fingerprint ? $0.health : nil }
            }
            for (ep, addresses) in zip(config.endpoints, results) {
                guard let addresses, !addresses.isEmpty else {
                    // As Envoy: a failed re-resolution keeps the endpoint's last good hosts.
                    hosts += previous.hosts.filter { $0.hostname == ep.address && $0.address.port == ep.port }
                    continue
                }
                // STRICT_DNS: every address is a host; LOGICAL_DNS and STATIC: the first.
                let chosen = config.discovery == .strictDNS ? addresses : [addresses[0]]
                for address in chosen {
                    // Keep the same Host object when nothing changed, so pools survive a refresh.
                    if let same = previous.hosts.first(where: { $0.address == address && $0.weight == ep.weight }) {
                        hosts.append(same)
                    } else {
                        let hc = health?.newHost(for: ep)
                        let host = Host(address: address, hostname: ep.address, weight: ep.weight, priority: ep.priority,
                                        lb: HostLBInfo(metadata: ep.metadata, locality: ep.locality,
                                                       localityWeight: ep.localityWeight, config: config.lb),
                                        outlier: hc?.outlier, healthCheckPort: ep.healthCheckPort,
                                        disableActiveHealthCheck: ep.disableActiveHealthCheck)
                        if hc?.startsFailed == true { host.setHealthFlag(.failedActiveHC, true) }
                        // Config `health_status` UNHEALTHY/DRAINING/TIMEOUT, as Envoy's EDS health.
                        if ep.edsUnhealthy { host.setHealthFlag(.failedEDSHealth, true) }
                        hosts.append(host)
                    }
                }
            }
            if !results.contains(where: { $0 == nil }) { config.stats.updateSuccess.incShared() }
            return HostSet(hosts: hosts, config: config.lb)
        }
    }

    @discardableResult
    private func publish(_ config: ClusterConfig, hostSet: HostSet, install: Bool) -> EventLoopFuture<Void> {
        let (current, health) = state.withLockedValue { s -> (Bool, ClusterHealth?) in
            guard s.entries[config.name]?.config.fingerprint == config.fingerprint else { return (false, nil) }
            s.entries[config.name]?.hostSet = hostSet
            return (true, s.entries[config.name]?.health)
        }
        guard current else { return controlLoop.makeSucceededVoidFuture() }
        health?.hostsChanged(hostSet.hosts)
        config.stats.membershipTotal.set(Int64(hostSet.hosts.count))
        config.stats.membershipHealthy.set(Int64(hostSet.hosts.count { $0.isHealthy }))
        if install {
            return post { $0.install(config, hostSet: hostSet) }
        }
        broadcast { $0.update(name: config.name, hostSet: hostSet) }
        return controlLoop.makeSucceededVoidFuture()
    }

    private func scheduleRefresh(_ config: ClusterConfig) {
        guard config.discovery != .staticHosts else { return }
        let task = controlLoop.scheduleTask(in: config.dnsRefreshRate) {
            let previous = self.state.withLockedValue { $0.entries[config.name]?.hostSet } ?? .empty
            self.resolveHosts(config, previous: previous).whenSuccess { hostSet in
                self.publish(config, hostSet: hostSet, install: false)
                self.scheduleRefresh(config)
            }
        }
        state.withLockedValue { s in
            if s.entries[config.name]?.config.fingerprint == config.fingerprint {
                s.entries[config.name]?.refresh = task
            } else {
                task.cancel()
            }
        }
    }

    /// Runs `body` on every worker's loop without waiting (refreshes, removals): a loop that is
    /// shutting down may drop it, which is fine then.
    private func broadcast(_ body: @escaping @Sendable (WorkerClusterManager) -> Void) {
        for ref in workers { ref.eventLoop.execute { body(ref.manager) } }
    }

    /// Runs `body` on every worker's loop; the future completes when all have run it.
    @discardableResult
    private func post(_ body: @escaping @Sendable (WorkerClusterManager) -> Void) -> EventLoopFuture<Void> {
        let done = workers.map { ref in ref.eventLoop.submit { body(ref.manager) } }
        return EventLoopFuture.andAllComplete(done, on: controlLoop)
    }
}

/// A worker's manager, dereferenced only on its own loop (in `post`). Not `NIOLoopBound`: its init
/// must run on that loop, and one `ClusterManager` is made on one thread for managers on many loops.
private struct WorkerRef: @unchecked Sendable {
    let manager: WorkerClusterManager
    let eventLoop: any EventLoop
}

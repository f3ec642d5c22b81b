import NIOConcurrencyHelpers
import NIOCore
import TernCore
import TernNetwork

/// Owns the running listeners. `apply` makes a list of compiled listeners the running set, the
/// way Envoy's listener manager handles an LDS update: unchanged listeners are kept, a listener
/// whose filter chains alone changed keeps its sockets and swaps its config (old connections
/// drain), one whose sockets changed is bound anew before the old one stops (make before break),
/// and a removed one stops accepting and drains. Control-plane only; accepts never touch it.
public actor ListenerManager {
    let pool: WorkerPool
    let stats: ListenerManagerStats
    /// `--drain-time-s`: how long draining connections get before they are closed.
    public let drainTime: TimeAmount
    public let drainStrategy: DrainStrategy
    private var active: [ActiveListener] = []
    /// The running listeners for synchronous readers (admin), updated with `active`.
    private let published = NIOLockedValueBox<[ActiveListener]>([])

    public init(pool: WorkerPool, stats: StatsStore, drainTime: TimeAmount, drainStrategy: DrainStrategy = .immediate) {
        self.pool = pool
        self.stats = ListenerManagerStats(store: stats)
        self.drainTime = drainTime
        self.drainStrategy = drainStrategy
        self.stats.workersStarted.set(1)
    }

    // MARK: - applying config

    /// Makes `configs` the running listeners. `inbound` names the listeners with
    /// `traffic_direction: INBOUND`. Failures are reported, not thrown: the other listeners apply.
    public func apply(_ configs: [ListenerConfig], inbound: Set<String> = []) async -> ListenerUpdateReport {
        var report = ListenerUpdateReport()
        var next: [ActiveListener] = []
        for config in configs {
            let isInbound = inbound.contains(config.name)
            guard let old = active.first(where: { $0.name == config.name }) else {
                if let fresh = await create(config, inbound: isInbound, report: &report) {
                    stats.listenerAdded.incShared()
                    report.added.append(config.name)
                    next.append(fresh)
                }
                continue
            }
            if old.config.fingerprint == config.fingerprint {
                report.unchanged.append(config.name)
                next.append(old)
            } else if old.config.socketFingerprint == config.socketFingerprint {
                let generation = old.box.store(config)
                drainConnections(of: old.id, before: generation, forceClose: true)
                stats.listenerModified.incShared()
                stats.listenerInPlaceUpdated.incShared()
                report.updatedInPlace.append(config.name)
                next.append(old)
            } else if let fresh = await replace(old, with: config, inbound: isInbound, report: &report) {
                stats.listenerModified.incShared()
                report.replaced.append(config.name)
                next.append(fresh)
            } else if old.isAccepting {
                next.append(old)
            }
        }
        let kept = Set(next.map(\.id))
        for old in active where !kept.contains(old.id) {
            await retire(old)
            if !configs.contains(where: { $0.name == old.name }) {
                stats.listenerRemoved.incShared()
                report.removed.append(old.name)
            }
        }
        active = next
        published.withLockedValue { $0 = next }
        stats.totalListenersActive.set(Int64(next.count))
        return report
    }

    private func create(_ config: ListenerConfig, inbound: Bool, report: inout ListenerUpdateReport) async -> ActiveListener? {
        let fresh = ActiveListener(config: config, inbound: inbound)
        do {
            let bound = try await ListenerSocketBinder.bind(fresh, pool: pool)
            fresh.adopt(channels: bound.channels, addresses: bound.addresses)
            stats.listenerCreateSuccess.incShared()
            return fresh
        } catch {
            stats.listenerCreateFailure.incShared()
            report.failures.append(.init(listener: config.name, message: "\(error)"))
            return nil
        }
    }

    /// Binds the new sockets first (the old listener is retired by `apply` afterwards). When that
    /// fails because the old listener holds the same address without SO_REUSEPORT, the old one
    /// stops accepting and the bind is retried; otherwise the old listener keeps running.
    private func replace(_ old: ActiveListener, with config: ListenerConfig, inbound: Bool,
                         report: inout ListenerUpdateReport) async -> ActiveListener? {
        var firstTry = ListenerUpdateReport()
        if let fresh = await create(config, inbound: inbound, report: &firstTry) { return fresh }
        guard !Set(old.boundAddresses).isDisjoint(with: config.addresses) else {
            report.failures += firstTry.failures
            return nil
        }
        await old.stopAccepting()
        return await create(config, inbound: inbound, report: &report)
    }

    /// Stops a listener that is being replaced or removed and drains its connections; whatever
    /// is still open after the drain time is closed.
    private func retire(_ old: ActiveListener) async {
        old.startDraining()
        await old.stopAccepting()
        stats.listenerStopped.incShared()
        drainConnections(of: old.id, before: nil, forceClose: true)
    }

    private func drainConnections(of listenerID: Int, before generation: Int?, forceClose: Bool) {
        let strategy = drainStrategy
        let window = drainTime
        _ = pool.onEachWorker { context in
            context.connections.drain(strategy: strategy, window: window, forceClose: forceClose) { entry in
                entry.listenerID == listenerID && (generation.map { entry.generation < $0 } ?? true)
            }
        }
    }

    // MARK: - draining the server

    /// Marks listeners as draining (new connections drain at once) and drains their connections
    /// without closing them. `inboundOnly` limits this to INBOUND listeners.
    public func startDraining(inboundOnly: Bool = false) {
        for listener in active where !inboundOnly || listener.inbound {
            listener.startDraining()
            drainConnections(of: listener.id, before: nil, forceClose: false)
        }
    }

    /// Closes the listening sockets (accepted connections stay).
    public func stopAccepting(inboundOnly: Bool = false) async {
        for listener in active where !inboundOnly || listener.inbound {
            await listener.stopAccepting()
        }
    }

    /// Closes every downstream connection now.
    public func closeAllConnections() async {
        _ = try? await pool.onEachWorker { $0.connections.closeAll() }.get()
    }

    // MARK: - reading

    /// The addresses listener `name` is bound to, with real ports for port 0.
    public nonisolated func boundAddresses(of name: String) -> [SocketAddress] {
        published.withLockedValue { $0.first { $0.name == name }?.boundAddresses ?? [] }
    }

    /// The running listeners, in config order.
    nonisolated var activeListeners: [ActiveListener] { published.withLockedValue { $0 } }

    /// The running listeners' configs, in config order.
    public nonisolated var listenerConfigs: [ListenerConfig] {
        published.withLockedValue { $0.map(\.config) }
    }
}

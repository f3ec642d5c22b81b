// TernServer: wires a compiled Snapshot into event loops, listeners, clusters and the admin API,
// and runs the lifecycle around it: start, reload (SIGHUP, --watch), drain and shutdown. It is the
// only target that knows every other one; the data path below it never calls back up here.

import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TernAdmin
import TernConfig
import TernCore
import TernNetwork
import TernUpstream

/// One Tern process's server. `start()` loads and compiles the config, applies clusters (waiting
/// for DNS clusters' first answer), binds listeners and the admin API, and goes LIVE; `reload()`
/// swaps in a new config without dropping connections; `shutdown(graceful:)` drains and stops.
///
/// Tests run one in-process: `let s = Server(options: ...)`, `try await s.start()`, then
/// `s.boundAddresses(ofListener:)` and `s.adminAddress` give the real ports of port-0 binds.
public actor Server {
    public nonisolated let options: ServerOptions
    public nonisolated let stats: StatsStore
    /// `/healthcheck/fail|ok`; the HTTP health-check filter reads it.
    public nonisolated let healthCheck = HealthCheckFlag()
    nonisolated let serverStats: ServerStats
    nonisolated let loader: SnapshotLoader
    nonisolated let logger = TernLogging.logger("main")
    nonisolated let startedAt = Date()
    nonisolated let exitLatch = ExitLatch()
    private nonisolated let published = NIOLockedValueBox(Published())

    /// What synchronous readers (admin, tests) see.
    struct Published {
        var snapshot: Snapshot?
        var snapshotUpdatedAt = Date()
        var adminAddress: SocketAddress?
        var state: ServerState = .preInitializing
        var draining = false
    }

    var pool: WorkerPool?
    var resolverPool: NIOThreadPool?
    var clusterManager: ClusterManager?
    var listenerManager: ListenerManager?
    var adminServer: AdminServer?
    var timers: [RepeatedTask] = []
    var reloadRunning = false
    var reloadPending = false
    var stopping = false

    public init(options: ServerOptions, extensions: ExtensionSet = .builtin) {
        self.options = options
        self.stats = StatsStore(workers: options.concurrency)
        self.serverStats = ServerStats(store: stats)
        self.loader = SnapshotLoader(options: options, extensions: extensions)
        serverStats.set(.preInitializing)
        serverStats.concurrency.set(Int64(options.concurrency))
    }

    // MARK: - start

    /// Loads, compiles and serves the config. Throws a `CompileError` (with its field path) for a
    /// bad config and `ListenerBindError` when a listener cannot be bound; nothing keeps running then.
    public func start() async throws {
        guard pool == nil, !stopping else { throw CompileError("", "the server was already started") }
        let snapshot = try loader.load(stats: stats)
        for warning in snapshot.warnings { logger.warning("config: \(warning)") }
        setState(.initializing)
        AccessLogFlusher.flushInterval = options.fileFlushInterval
        do {
            let pool = try await WorkerPool.start(concurrency: options.concurrency, healthCheck: healthCheck)
            self.pool = pool
            let resolverPool = NIOThreadPool(numberOfThreads: 1)
            resolverPool.start()
            self.resolverPool = resolverPool
            let clusters = try await makeClusterManager(pool: pool, resolver: DNSResolver(pool: resolverPool))
            clusterManager = clusters
            try await applyClusters(snapshot.clusters, previous: [], manager: clusters)

            let listeners = ListenerManager(pool: pool, stats: stats, drainTime: options.drainTime,
                                            drainStrategy: options.drainStrategy)
            listenerManager = listeners
            managerBox.withLockedValue { $0 = listeners }
            let report = await listeners.apply(snapshot.listeners, inbound: snapshot.inboundListenerNames)
            if let failure = report.failures.first {
                throw CompileError("static_resources.listeners", failure.description)
            }
            publish(snapshot)
            if let admin = snapshot.admin {
                try await startAdmin(admin, pool: pool)
            }
        } catch {
            await stopEverything()
            setState(.preInitializing)
            throw error
        }
        setState(.live)
        startTimers()
        logger.info("tern is LIVE: \(snapshot.listeners.count) listeners, \(snapshot.clusters.count) clusters, \(options.concurrency) workers")
    }

    private func startAdmin(_ admin: AdminConfig, pool: WorkerPool) async throws {
        let server = AdminServer(address: admin.address, group: pool.controlGroup,
                                 provider: ServerAdminProvider(server: self), stats: stats,
                                 accessLog: AdminAccessLogFile.open(admin.accessLogPath))
        adminServer = server
        let bound = try await server.start()
        published.withLockedValue { $0.adminAddress = bound }
        if let path = options.adminAddressPath {
            let text = AddressCompiler.text(bound)
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CompileError("", "cannot write --admin-address-path \(path): \(error.localizedDescription)")
            }
        }
    }

    /// Envoy's `server.uptime` and `server.memory_*` (and `--watch`'s file check) on the control loop.
    private func startTimers() {
        guard let pool else { return }
        let stats = serverStats
        let startedAt = self.startedAt
        timers.append(pool.controlLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            stats.uptime.set(Int64(Date().timeIntervalSince(startedAt)))
            stats.update(ProcessMemory.read())
        })
        if options.watch, let path = options.configPath {
            let watcher = ConfigWatcher(path: path)
            timers.append(pool.controlLoop.scheduleRepeatedTask(initialDelay: options.watchInterval,
                                                                delay: options.watchInterval) { [weak self] _ in
                guard watcher.changed(), let self else { return }
                Task { await self.reload(reason: "\(path) changed") }
            })
        }
    }

    // MARK: - running

    /// Starts, then waits until the server has stopped; returns the process exit code.
    public func run() async throws -> Int32 {
        try await start()
        return await waitForExit()
    }

    /// Waits until the server has stopped (shutdown, `/quitquitquit`); returns the exit code.
    public nonisolated func waitForExit() async -> Int32 {
        await exitLatch.wait()
    }

    // MARK: - reading

    /// The addresses listener `name` is bound to (real ports after binding port 0).
    public nonisolated func boundAddresses(ofListener name: String) -> [SocketAddress] {
        listenerManagerForReading?.boundAddresses(of: name) ?? []
    }

    /// The admin listener's bound address, once started.
    public nonisolated var adminAddress: SocketAddress? { published.withLockedValue { $0.adminAddress } }

    /// The server state as `server.state` reports it.
    public nonisolated var state: ServerState {
        published.withLockedValue { p in
            guard p.state == .live else { return p.state }
            return p.draining || healthCheck.isFailed ? .draining : .live
        }
    }

    /// The running config.
    public nonisolated var snapshot: Snapshot? { published.withLockedValue { $0.snapshot } }

    /// When the running config was applied (`last_updated` in `/config_dump`).
    nonisolated var snapshotUpdatedAt: Date { published.withLockedValue { $0.snapshotUpdatedAt } }

    private nonisolated let managerBox = NIOLockedValueBox<ListenerManager?>(nil)
    nonisolated var listenerManagerForReading: ListenerManager? { managerBox.withLockedValue { $0 } }

    func setState(_ state: ServerState) {
        published.withLockedValue { $0.state = state }
        serverStats.set(self.state)
    }

    func setDraining(_ draining: Bool) {
        published.withLockedValue { $0.draining = draining }
        serverStats.set(state)
    }

    func publish(_ snapshot: Snapshot) {
        published.withLockedValue {
            $0.snapshot = snapshot
            $0.snapshotUpdatedAt = Date()
        }
    }
}

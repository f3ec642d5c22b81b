import NIOCore
import TernCore

/// A cluster's active health checker (Envoy's `HealthCheckerImplBase`): one `HealthCheckSession`
/// per checked host, all on the cluster manager's control loop, once per process. Results set
/// the hosts' `failedActiveHC` / `degradedActiveHC` flags; a change is republished to workers.
///
/// All mutable state is confined to `loop` (entry points hop there), hence `@unchecked`.
public final class HealthChecker: @unchecked Sendable {
    let config: HealthCheckConfig
    let clusterName: String
    let stats: HealthCheckStats
    let loop: any EventLoop
    /// The cluster's transport socket: checks connect the way traffic does (TLS included), as
    /// Envoy's health checkers do without `transport_socket_match_criteria`.
    let transportSocket: (any UpstreamTransportSocketFactory)?
    /// Whether the cluster ever made an upstream connection (Envoy's `upstream_cx_total.used()`).
    private let clusterStats: ClusterStats
    /// Called on `loop` after a check: the host, whether it passed, and whether its health changed.
    private let onResult: (Host, Bool, Bool) -> Void
    private var sessions: [ObjectIdentifier: HealthCheckSession] = [:]
    private var stopped = false

    init(config: HealthCheckConfig, clusterName: String, stats: HealthCheckStats, clusterStats: ClusterStats,
         loop: any EventLoop, transportSocket: (any UpstreamTransportSocketFactory)? = nil,
         onResult: @escaping (Host, Bool, Bool) -> Void) {
        self.transportSocket = transportSocket
        self.config = config
        self.clusterName = clusterName
        self.stats = stats
        self.clusterStats = clusterStats
        self.loop = loop
        self.onResult = onResult
    }

    var hasTraffic: Bool { clusterStats.upstreamCxTotal.value > 0 }

    /// Makes `hosts` the checked hosts (call on `loop`): new ones start checking, gone ones stop.
    func setHosts(_ hosts: [Host]) {
        loop.preconditionInEventLoop()
        guard !stopped else { return }
        let wanted = hosts.filter { !$0.disableActiveHealthCheck }
        let ids = Set(wanted.map { ObjectIdentifier($0) })
        for (id, session) in sessions where !ids.contains(id) {
            session.stop()
            sessions[id] = nil
        }
        for host in wanted where sessions[ObjectIdentifier(host)] == nil {
            let session = HealthCheckSession(checker: self, host: host)
            sessions[ObjectIdentifier(host)] = session
            session.start()
        }
        updateGauges()
    }

    /// Stops every session: timers cancelled, connections closed.
    func stop() {
        loop.execute {
            self.stopped = true
            for session in self.sessions.values { session.stop() }
            self.sessions = [:]
        }
    }

    /// A session finished a check.
    func sessionCompleted(_ session: HealthCheckSession, passed: Bool, changed: Bool) {
        updateGauges()
        onResult(session.host, passed, changed)
    }

    private func updateGauges() {
        let hosts = sessions.values.map(\.host)
        stats.healthy.set(Int64(hosts.count { !$0.healthFlags.contains(.failedActiveHC) }))
        stats.degraded.set(Int64(hosts.count { $0.healthFlags.contains(.degradedActiveHC) }))
    }

    /// A random value in `0..<bound` (jitter).
    static func random(_ bound: UInt64) -> UInt64 { bound == 0 ? 0 : UInt64.random(in: 0..<bound) }
}

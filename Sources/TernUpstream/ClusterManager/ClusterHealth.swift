import NIOCore
import TernCore

/// The health machinery of one installed cluster: its active health checker and its outlier
/// detector, both on the cluster manager's control loop. Made when the cluster is installed,
/// stopped when it is replaced or removed (no timer or connection outlives it).
public final class ClusterHealth: Sendable {
    public let checker: HealthChecker?
    public let detector: OutlierDetector?
    private let config: ClusterConfig
    private let loop: any EventLoop

    /// nil when the cluster has neither `health_checks` nor `outlier_detection`. `healthChanged`
    /// republishes the cluster's hosts (runs on `loop`).
    public static func make(_ config: ClusterConfig, loop: any EventLoop,
                            healthChanged: @escaping @Sendable () -> Void) -> ClusterHealth? {
        config.health.isEmpty ? nil : ClusterHealth(config, loop: loop, healthChanged: healthChanged)
    }

    private init(_ config: ClusterConfig, loop: any EventLoop, healthChanged: @escaping @Sendable () -> Void) {
        self.config = config
        self.loop = loop
        let h = config.health
        let detector: OutlierDetector? = h.outlierDetection.map {
            OutlierDetector(config: $0, stats: h.outlierStats ?? OutlierDetectionStats(root: Self.detachedStats, statName: config.statName),
                            loop: loop, healthChanged: healthChanged)
        }
        self.detector = detector
        self.checker = h.healthCheck.map { hc in
            HealthChecker(config: hc, clusterName: config.name,
                          stats: h.healthCheckStats ?? HealthCheckStats(root: Self.detachedStats, statName: config.statName),
                          clusterStats: config.stats, loop: loop,
                          transportSocket: config.transportSocket) { host, passed, changed in
                // Envoy: a passed check returns an outlier-ejected host to service
                // (successful_active_health_check_uneject_host); the detector republishes then.
                if passed, host.healthFlags.contains(.failedOutlierCheck) { detector?.activeHealthCheckPassed(host) }
                if changed { healthChanged() }
            }
        }
        detector?.start()
    }

    /// Where stats go when a config was built without them (tests); the compiler always sets them.
    private static var detachedStats: StatScope { StatsStore(workers: 1).root }

    /// Options for a host the cluster manager is about to make for `endpoint`: its outlier
    /// monitor, and whether it starts failed until its first check (Envoy marks every new host
    /// of an actively checked cluster `/failed_active_hc` until a check passes).
    public func newHost(for endpoint: EndpointConfig) -> (outlier: OutlierHostMonitor?, startsFailed: Bool) {
        (detector?.makeMonitor(), checker != nil && !endpoint.disableActiveHealthCheck)
    }

    /// The cluster's hosts are now `hosts` (DNS refresh, install, republish).
    public func hostsChanged(_ hosts: [Host]) {
        loop.execute {
            self.detector?.setHosts(hosts)
            self.checker?.setHosts(hosts)
        }
    }

    /// Stops checking and sweeping; connections close, timers are cancelled.
    public func stop() {
        checker?.stop()
        detector?.stop()
    }
}

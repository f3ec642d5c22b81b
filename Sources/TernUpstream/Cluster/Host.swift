import NIOCore
import Synchronization

/// One upstream endpoint as workers see it. Shared by all workers (immutable but for its
/// per-worker counters), so `/clusters` can show each host's activity.
public final class Host: Sendable, CustomStringConvertible {
    /// The resolved address connections go to. For LOGICAL_DNS this is the latest resolution.
    public let address: SocketAddress
    /// The endpoint's configured name (`hostname` or the address literal) for `/clusters`.
    public let hostname: String
    public let weight: Int
    public let priority: Int
    /// `ip:port` as Envoy prints it in `/clusters` and `%UPSTREAM_HOST%`.
    public let addressString: String
    public let stats: HostStats
    /// Metadata, locality and cluster balancing config for the load balancer (`HostLBInfo`).
    public let lb: HostLBInfo
    /// Health flags (`HostHealthFlags`), written by active health checking and outlier detection
    /// off the request path; workers read them only through the host sets they are published in.
    private let healthFlagBits = Atomic<UInt32>(0)
    /// The outlier detector's counters for this host; nil when the cluster has no `outlier_detection`.
    /// The router and tcp_proxy report each result here (`putHTTPStatus`, `putResult`).
    public let outlier: OutlierHostMonitor?
    /// Active health checks go to this port instead (`health_check_config.port_value`).
    public let healthCheckPort: Int?
    /// `health_check_config.disable_active_health_check`: never checked, never failed by checks.
    public let disableActiveHealthCheck: Bool

    public init(address: SocketAddress, hostname: String, weight: Int = 1, priority: Int = 0, lb: HostLBInfo = .none,
                outlier: OutlierHostMonitor? = nil, healthCheckPort: Int? = nil, disableActiveHealthCheck: Bool = false) {
        self.address = address
        self.outlier = outlier
        self.healthCheckPort = healthCheckPort
        self.disableActiveHealthCheck = disableActiveHealthCheck
        self.lb = lb
        self.hostname = hostname
        self.weight = weight
        self.priority = priority
        self.addressString = Host.format(address)
        self.stats = HostStats()
    }

    public var description: String { addressString }

    public var healthFlags: HostHealthFlags { HostHealthFlags(rawValue: healthFlagBits.load(ordering: .acquiring)) }

    /// True unless a health checker or the outlier detector has taken the host out of rotation.
    public var isHealthy: Bool { healthFlags.isDisjoint(with: .unhealthy) }

    /// Sets or clears `flag`; true when that changed the flags. After a change the owner
    /// (health checker, outlier detector) calls `ClusterManager.hostHealthChanged(cluster:)` so
    /// workers get a host set computed with the new health.
    @discardableResult
    public func setHealthFlag(_ flag: HostHealthFlags, _ on: Bool) -> Bool {
        let old = on ? healthFlagBits.bitwiseOr(flag.rawValue, ordering: .acquiringAndReleasing).oldValue
                     : healthFlagBits.bitwiseAnd(~flag.rawValue, ordering: .acquiringAndReleasing).oldValue
        return HostHealthFlags(rawValue: old).contains(flag) != on
    }

    static func format(_ address: SocketAddress) -> String {
        switch address {
        case .v4: "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6: "[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket: address.pathname ?? "unix"
        }
    }
}

/// Envoy's host health flags, as `/clusters` prints them (`health_flags::/failed_active_hc`).
public struct HostHealthFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Active health checking failed the host (`/failed_active_hc`).
    public static let failedActiveHC = HostHealthFlags(rawValue: 1 << 0)
    /// The outlier detector ejected the host (`/failed_outlier_check`).
    public static let failedOutlierCheck = HostHealthFlags(rawValue: 1 << 1)
    /// The endpoint's configured `health_status` is unhealthy (`/failed_eds_health`).
    public static let failedEDSHealth = HostHealthFlags(rawValue: 1 << 2)
    /// Active health checking reported the host degraded (`/degraded_active_hc`).
    public static let degradedActiveHC = HostHealthFlags(rawValue: 1 << 3)
    /// Not yet checked by an active health checker (`/pending_active_hc`).
    public static let pendingActiveHC = HostHealthFlags(rawValue: 1 << 4)

    /// The failing active health check timed out (`/active_hc_timeout`); shown, not acted on.
    public static let activeHCTimeout = HostHealthFlags(rawValue: 1 << 5)

    /// Flags that take a host out of the healthy set.
    public static let unhealthy: HostHealthFlags = [.failedActiveHC, .failedOutlierCheck, .failedEDSHealth]

    /// Envoy's `/clusters` spelling: `healthy`, or the set flags joined (`/failed_active_hc/failed_outlier_check`).
    public var envoyDescription: String {
        let names: [(HostHealthFlags, String)] = [
            (.failedActiveHC, "/failed_active_hc"), (.failedOutlierCheck, "/failed_outlier_check"),
            (.failedEDSHealth, "/failed_eds_health"), (.degradedActiveHC, "/degraded_active_hc"),
            (.pendingActiveHC, "/pending_active_hc"), (.activeHCTimeout, "/active_hc_timeout"),
        ]
        let set = names.filter { contains($0.0) }.map(\.1)
        return set.isEmpty ? "healthy" : set.joined()
    }
}

/// Per-host counters shown by `/clusters` (`cx_total`, `rq_total`, ...). Relaxed atomics: these
/// are observability figures, written on the request path but read rarely.
public final class HostStats: Sendable {
    public let cxTotal = Atomic<UInt64>(0)
    public let cxActive = Atomic<Int64>(0)
    public let cxConnectFail = Atomic<UInt64>(0)
    public let rqTotal = Atomic<UInt64>(0)
    public let rqActive = Atomic<Int64>(0)
    public let rqSuccess = Atomic<UInt64>(0)
    public let rqError = Atomic<UInt64>(0)
    public let rqTimeout = Atomic<UInt64>(0)
    init() {}
}

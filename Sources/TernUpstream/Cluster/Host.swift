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

    public init(address: SocketAddress, hostname: String, weight: Int = 1, priority: Int = 0) {
        self.address = address
        self.hostname = hostname
        self.weight = weight
        self.priority = priority
        self.addressString = Host.format(address)
        self.stats = HostStats()
    }

    public var description: String { addressString }

    static func format(_ address: SocketAddress) -> String {
        switch address {
        case .v4: "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6: "[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket: address.pathname ?? "unix"
        }
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

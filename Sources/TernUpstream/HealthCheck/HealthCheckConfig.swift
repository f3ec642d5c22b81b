import NIOCore

/// One compiled `envoy.config.core.v3.HealthCheck`: how and how often the cluster's active health
/// checker probes each host. Immutable; Envoy's defaults are filled in by the compiler.
public struct HealthCheckConfig: Sendable, Equatable {
    /// What a check sends and expects (Envoy's `health_checker` oneof).
    public enum Kind: Sendable, Equatable {
        case http(HTTPHealthCheckConfig)
        case tcp(TCPHealthCheckConfig)
        case grpc(GRPCHealthCheckConfig)
    }

    public let kind: Kind
    /// Time for one whole check (connect included) before it counts as a network failure.
    public let timeout: TimeAmount
    public let interval: TimeAmount
    /// Used instead of the other intervals until the cluster has made a connection (Envoy: 60 s).
    public let noTrafficInterval: TimeAmount
    /// After a failed check (default: `interval`).
    public let unhealthyInterval: TimeAmount
    /// After a failed check that did not yet reach `unhealthy_threshold` (default: `unhealthy_interval`).
    public let unhealthyEdgeInterval: TimeAmount
    /// After a passed check that did not yet reach `healthy_threshold` (default: `interval`).
    public let healthyEdgeInterval: TimeAmount
    /// A random `[0, interval_jitter)` added to each interval.
    public let intervalJitter: TimeAmount
    /// A random `[0, interval × percent / 100)` added to each interval.
    public let intervalJitterPercent: Int
    /// The first check of a host waits a random `[0, initial_jitter)`.
    public let initialJitter: TimeAmount
    public let unhealthyThreshold: Int
    public let healthyThreshold: Int
    /// Checks go to this port instead of the host's (`alt_port`).
    public let altPort: Int?
    /// Keep the connection between checks (`reuse_connection`, default true).
    public let reuseConnection: Bool

    public init(kind: Kind, timeout: TimeAmount, interval: TimeAmount, noTrafficInterval: TimeAmount = .seconds(60),
                unhealthyInterval: TimeAmount? = nil, unhealthyEdgeInterval: TimeAmount? = nil,
                healthyEdgeInterval: TimeAmount? = nil, intervalJitter: TimeAmount = .zero,
                intervalJitterPercent: Int = 0, initialJitter: TimeAmount = .zero, unhealthyThreshold: Int,
                healthyThreshold: Int, altPort: Int? = nil, reuseConnection: Bool = true) {
        self.kind = kind
        self.timeout = timeout
        self.interval = interval
        self.noTrafficInterval = noTrafficInterval
        self.unhealthyInterval = unhealthyInterval ?? interval
        self.unhealthyEdgeInterval = unhealthyEdgeInterval ?? unhealthyInterval ?? interval
        self.healthyEdgeInterval = healthyEdgeInterval ?? interval
        self.intervalJitter = intervalJitter
        self.intervalJitterPercent = intervalJitterPercent
        self.initialJitter = initialJitter
        self.unhealthyThreshold = unhealthyThreshold
        self.healthyThreshold = healthyThreshold
        self.altPort = altPort
        self.reuseConnection = reuseConnection
    }

    /// The wait before the next check, as Envoy's `HealthCheckerImplBase::interval`: until the
    /// cluster has seen traffic, `no_traffic_interval`; then by the check's outcome and whether the
    /// host's state is still on its way to changing (an "edge"). `random` supplies the jitter.
    public func nextInterval(passed: Bool, transition: HealthTransition, hasTraffic: Bool,
                             random: (UInt64) -> UInt64) -> TimeAmount {
        var base: Int64
        if !hasTraffic {
            base = noTrafficInterval.nanoseconds / 1_000_000
        } else if passed {
            base = (transition == .changePending ? healthyEdgeInterval : interval).nanoseconds / 1_000_000
        } else {
            base = (transition == .changePending ? unhealthyEdgeInterval : unhealthyInterval).nanoseconds / 1_000_000
        }
        let percentSpan = Int64(intervalJitterPercent) * base / 100
        if percentSpan > 0 { base += Int64(random(UInt64(percentSpan))) }
        let jitterMs = intervalJitter.nanoseconds / 1_000_000
        if jitterMs > 0 { base += Int64(random(UInt64(jitterMs))) }
        // As Envoy: never zero, so a misconfiguration cannot spin.
        return .milliseconds(max(1, base))
    }
}

/// `http_health_check`: an HTTP/1.1 GET whose status decides health.
public struct HTTPHealthCheckConfig: Sendable, Equatable {
    /// The `Host` header; empty means the cluster name, as Envoy.
    public let host: String
    public let path: String
    /// Half-open `[start, end)` ranges of healthy statuses (default `[200, 201)`).
    public let expectedStatuses: [Range<Int>]
    /// Statuses that fail a check but only count towards `unhealthy_threshold`.
    public let retriableStatuses: [Range<Int>]
    public let requestHeadersToAdd: [(name: String, value: String, append: Bool)]
    public let requestHeadersToRemove: [String]
    /// Byte strings the response body must contain, in order (`receive`).
    public let receive: [[UInt8]]

    public init(host: String, path: String, expectedStatuses: [Range<Int>] = [200..<201],
                retriableStatuses: [Range<Int>] = [], requestHeadersToAdd: [(name: String, value: String, append: Bool)] = [],
                requestHeadersToRemove: [String] = [], receive: [[UInt8]] = []) {
        self.host = host
        self.path = path
        self.expectedStatuses = expectedStatuses
        self.retriableStatuses = retriableStatuses
        self.requestHeadersToAdd = requestHeadersToAdd
        self.requestHeadersToRemove = requestHeadersToRemove
        self.receive = receive
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.host == b.host && a.path == b.path && a.expectedStatuses == b.expectedStatuses
            && a.retriableStatuses == b.retriableStatuses && a.requestHeadersToRemove == b.requestHeadersToRemove
            && a.receive == b.receive
            && a.requestHeadersToAdd.map { "\($0.name)\u{0}\($0.value)\u{0}\($0.append)" }
                == b.requestHeadersToAdd.map { "\($0.name)\u{0}\($0.value)\u{0}\($0.append)" }
    }

    /// The check's verdict for a response status, as Envoy's `HttpActiveHealthCheckSession`.
    public func verdict(status: Int) -> HealthCheckVerdict {
        if expectedStatuses.contains(where: { $0.contains(status) }) { return .passed }
        return retriableStatuses.contains(where: { $0.contains(status) }) ? .retriableFailure : .failed
    }
}

/// `tcp_health_check`: connect, optionally send bytes and expect bytes back.
public struct TCPHealthCheckConfig: Sendable, Equatable {
    /// Written on each check; not written when `receive` is empty (Envoy then only connects).
    public let send: [UInt8]
    /// Byte strings that must all appear in what the host sends, in order.
    public let receive: [[UInt8]]

    public init(send: [UInt8], receive: [[UInt8]]) {
        self.send = send
        self.receive = receive
    }
}

/// What one response means for a host.
public enum HealthCheckVerdict: Sendable, Equatable {
    case passed
    /// Passed, with `x-envoy-degraded` set.
    case degraded
    /// Failed at once (unexpected status).
    case failed
    /// Failed, but the host is only marked unhealthy after `unhealthy_threshold` of these.
    case retriableFailure
}

import NIOCore

/// One host's request outcomes over one outlier-detection interval.
public struct OutlierSample: Sendable, Equatable {
    public var externalTotal: UInt64
    public var externalSuccess: UInt64
    public var localTotal: UInt64
    public var localSuccess: UInt64

    public init(externalTotal: UInt64 = 0, externalSuccess: UInt64 = 0, localTotal: UInt64 = 0, localSuccess: UInt64 = 0) {
        self.externalTotal = externalTotal
        self.externalSuccess = externalSuccess
        self.localTotal = localTotal
        self.localSuccess = localSuccess
    }
}

/// The ejection logic of Envoy's outlier `DetectorImpl` as a pure value: which hosts are ejected,
/// for how long, and what the success-rate and failure-percentage sweeps decide. Time and
/// randomness come in as arguments, so tests drive it with numbers.
///
/// - A tripped consecutive counter or a sweep *detects* an outlier; it is ejected only when
///   `max_ejection_percent` allows ((ejected + 1) / hosts ≤ max, or none ejected yet with
///   `always_eject_one_host`) and the type's `enforcing_*` roll says so.
/// - Ejection lasts `min(base × backoff, max(base, max_ejection_time))` plus jitter; `backoff`
///   grows by one per ejection (until the time would reach the maximum) and shrinks by one for
///   each sweep a host spends in service at least one interval after its last unejection.
public struct OutlierEjectionStateMachine<Key: Hashable & Sendable>: Sendable {
    /// What a call decided, in order, for the owner to turn into flags and stats.
    public enum Event: Sendable, Equatable {
        case detected(OutlierEjectionType)
        /// Enforced: the host is now ejected.
        case ejected(Key, OutlierEjectionType)
        /// Allowed by `max_ejection_percent`, but the `enforcing_*` roll said no.
        case notEnforced(OutlierEjectionType)
        /// Refused by `max_ejection_percent`.
        case overflow(OutlierEjectionType)
        case unejected(Key)
    }

    struct HostState: Sendable {
        var ejected = false
        var backoff = 0
        var lastEjection: NIODeadline?
        var lastUnejection: NIODeadline?
        var jitter: TimeAmount = .zero
        var successRate: Double = -1
        var localOriginSuccessRate: Double = -1
    }

    public let config: OutlierDetectionConfig
    var hosts: [Key: HostState] = [:]
    /// Hosts in the order they were added, so sweeps are deterministic.
    private var order: [Key] = []
    var hostOrder: [Key] { order }
    public internal(set) var ejectionsActive = 0
    /// The last sweep's success-rate mean and ejection threshold (-1 when not computed).
    public internal(set) var successRateAverage: Double = -1
    public internal(set) var successRateEjectionThreshold: Double = -1
    public internal(set) var localOriginSuccessRateAverage: Double = -1
    public internal(set) var localOriginSuccessRateEjectionThreshold: Double = -1

    public init(config: OutlierDetectionConfig) {
        self.config = config
    }

    public func isEjected(_ key: Key) -> Bool { hosts[key]?.ejected ?? false }

    /// The host's success rate from the last sweep, -1 when it had too little traffic.
    public func successRate(_ key: Key) -> (external: Double, localOrigin: Double) {
        guard let h = hosts[key] else { return (-1, -1) }
        return (h.successRate, h.localOriginSuccessRate)
    }

    /// Makes `keys` the monitored hosts; a removed ejected host no longer counts as ejected.
    public mutating func setHosts(_ keys: [Key]) {
        let wanted = Set(keys)
        for key in order where !wanted.contains(key) {
            if hosts[key]?.ejected == true { ejectionsActive -= 1 }
            hosts[key] = nil
        }
        order = order.filter { wanted.contains($0) }
        for key in keys where hosts[key] == nil {
            hosts[key] = HostState()
            order.append(key)
        }
    }

    // MARK: - detection

    /// A consecutive-error counter of `key` reached its threshold.
    public mutating func consecutiveTripped(_ key: Key, _ type: OutlierEjectionType, now: NIODeadline,
                                            roll: () -> Int) -> [Event] {
        // Reports cross threads: the host may be gone or already ejected by now.
        guard let h = hosts[key], !h.ejected else { return [] }
        return [.detected(type)] + eject(key, type, now: now, roll: roll)
    }

    /// An active health check passed on `key`: with `successful_active_health_check_uneject_host`
    /// an ejected host returns to service at once.
    public mutating func activeHealthCheckPassed(_ key: Key, now: NIODeadline) -> [Event] {
        guard config.successfulActiveHealthCheckUnejectHost, hosts[key]?.ejected == true else { return [] }
        uneject(key, now: now)
        return [.unejected(key)]
    }

    /// The interval sweep: unejects hosts whose time is up, then runs the success-rate and
    /// failure-percentage checks on `samples` (the last interval's outcomes per host).
    public mutating func sweep(now: NIODeadline, samples: [Key: OutlierSample], roll: () -> Int) -> [Event] {
        var events: [Event] = []
        for key in order {
            guard var h = hosts[key] else { continue }
            if !h.ejected {
                if let last = h.lastUnejection, now - last >= config.interval, h.backoff > 0 {
                    h.backoff -= 1
                }
                h.successRate = -1
                h.localOriginSuccessRate = -1
                hosts[key] = h
                continue
            }
            let base = config.baseEjectionTime.nanoseconds
            let cap = max(config.baseEjectionTime, config.maxEjectionTime).nanoseconds
            let duration = TimeAmount.nanoseconds(min(base * Int64(h.backoff), cap)) + h.jitter
            if let ejectedAt = h.lastEjection, now - ejectedAt >= duration {
                uneject(key, now: now)
                events.append(.unejected(key))
            }
        }
        events += successRateSweep(samples, localOrigin: false, now: now, roll: roll)
        if config.splitExternalLocalOriginErrors {
            events += successRateSweep(samples, localOrigin: true, now: now, roll: roll)
        }
        return events
    }

    // MARK: - ejection

    mutating func eject(_ key: Key, _ type: OutlierEjectionType, now: NIODeadline, roll: () -> Int) -> [Event] {
        guard !order.isEmpty else { return [] }
        let ejectedPercent = 100.0 * Double(ejectionsActive + 1) / Double(order.count)
        let allowed = ejectedPercent <= Double(min(100, config.maxEjectionPercent))
            || (config.alwaysEjectOneHost && ejectionsActive == 0)
        guard allowed else { return [.overflow(type)] }
        guard roll() < type.enforcing(config) else { return [.notEnforced(type)] }
        var h = hosts[key] ?? HostState()
        h.ejected = true
        h.lastEjection = now
        if config.baseEjectionTime.nanoseconds * Int64(h.backoff) < config.maxEjectionTime.nanoseconds {
            h.backoff += 1
        }
        let jitterSpan = config.maxEjectionTimeJitter.nanoseconds / 1_000_000
        h.jitter = jitterSpan > 0 ? .milliseconds(Int64(roll()) * jitterSpan / 100) : .zero
        hosts[key] = h
        ejectionsActive += 1
        return [.ejected(key, type)]
    }

    private mutating func uneject(_ key: Key, now: NIODeadline) {
        guard var h = hosts[key], h.ejected else { return }
        h.ejected = false
        h.lastUnejection = now
        hosts[key] = h
        ejectionsActive -= 1
    }
}

import NIOConcurrencyHelpers
import NIOCore

/// A cluster's outlier detector (Envoy's `DetectorImpl`): owns the ejection state machine on the
/// cluster manager's control loop, sweeps every `interval`, and sets or clears hosts'
/// `failedOutlierCheck` flag. The data path only touches the hosts' `OutlierHostMonitor`s.
///
/// All mutable state is confined to `loop` (every entry point hops there), hence `@unchecked`.
public final class OutlierDetector: @unchecked Sendable {
    /// The figures `/clusters` shows, copied out after each sweep.
    public struct Status: Sendable {
        public var successRateAverage: Double = -1
        public var successRateEjectionThreshold: Double = -1
        public var localOriginSuccessRateAverage: Double = -1
        public var localOriginSuccessRateEjectionThreshold: Double = -1
        /// Per host (by `ObjectIdentifier(host)`): external and local-origin success rate.
        public var hostSuccessRates: [ObjectIdentifier: (Double, Double)] = [:]
    }

    public let config: OutlierDetectionConfig
    private let loop: any EventLoop
    private let stats: OutlierDetectionStats
    /// Called on `loop` after host flags changed, to republish the cluster's hosts.
    private let healthChanged: @Sendable () -> Void
    private var machine: OutlierEjectionStateMachine<ObjectIdentifier>
    private var hosts: [ObjectIdentifier: Host] = [:]
    private var hostByMonitor: [ObjectIdentifier: Host] = [:]
    private var timer: Scheduled<Void>?
    private var stopped = false
    private let status = NIOLockedValueBox(Status())

    public init(config: OutlierDetectionConfig, stats: OutlierDetectionStats, loop: any EventLoop,
                healthChanged: @escaping @Sendable () -> Void) {
        self.config = config
        self.stats = stats
        self.loop = loop
        self.healthChanged = healthChanged
        self.machine = OutlierEjectionStateMachine(config: config)
    }

    /// A monitor for a new host of this cluster.
    public func makeMonitor() -> OutlierHostMonitor {
        OutlierHostMonitor(config: config, detector: self)
    }

    /// The last sweep's figures for `/clusters`.
    public var currentStatus: Status { status.withLockedValue { $0 } }

    /// Starts the sweep timer.
    public func start() {
        loop.execute { self.arm() }
    }

    /// Stops sweeping; later reports are ignored. The hosts keep their flags: a replaced
    /// cluster's hosts are discarded with it.
    public func stop() {
        loop.execute {
            self.stopped = true
            self.timer?.cancel()
            self.timer = nil
            self.hosts = [:]
            self.hostByMonitor = [:]
        }
    }

    /// The cluster's hosts changed (call on `loop`).
    public func setHosts(_ list: [Host]) {
        loop.preconditionInEventLoop()
        guard !stopped else { return }
        hosts = Dictionary(list.map { (ObjectIdentifier($0), $0) }, uniquingKeysWith: { a, _ in a })
        hostByMonitor = [:]
        for host in list { if let m = host.outlier { hostByMonitor[ObjectIdentifier(m)] = host } }
        machine.setHosts(list.map { ObjectIdentifier($0) })
        stats.ejectionsActive.set(Int64(machine.ejectionsActive))
    }

    /// From any worker: `monitor`'s consecutive counter of `type` reached its threshold.
    func tripped(_ monitor: OutlierHostMonitor, _ type: OutlierEjectionType) {
        loop.execute {
            guard !self.stopped, let host = self.hostByMonitor[ObjectIdentifier(monitor)] else { return }
            let events = self.machine.consecutiveTripped(ObjectIdentifier(host), type, now: .now(), roll: Self.roll)
            monitor.resetConsecutive(type)
            self.apply(events)
        }
    }

    /// An active health check passed on `host` (call on `loop`).
    public func activeHealthCheckPassed(_ host: Host) {
        guard !stopped else { return }
        apply(machine.activeHealthCheckPassed(ObjectIdentifier(host), now: .now()))
    }

    // MARK: - sweeps

    private func arm() {
        guard !stopped else { return }
        timer = loop.scheduleTask(in: config.interval) { self.sweep() }
    }

    private func sweep() {
        guard !stopped else { return }
        var samples: [ObjectIdentifier: OutlierSample] = [:]
        for (id, host) in hosts { if let m = host.outlier { samples[id] = m.takeSample() } }
        apply(machine.sweep(now: .now(), samples: samples, roll: Self.roll))
        var s = Status(successRateAverage: machine.successRateAverage,
                       successRateEjectionThreshold: machine.successRateEjectionThreshold,
                       localOriginSuccessRateAverage: machine.localOriginSuccessRateAverage,
                       localOriginSuccessRateEjectionThreshold: machine.localOriginSuccessRateEjectionThreshold)
        for id in hosts.keys { s.hostSuccessRates[id] = machine.successRate(id) }
        status.withLockedValue { $0 = s }
        arm()
    }

    private static func roll() -> Int { Int.random(in: 0..<100) }

    /// Turns the state machine's decisions into host flags and Envoy's stats.
    private func apply(_ events: [OutlierEjectionStateMachine<ObjectIdentifier>.Event]) {
        var changed = false
        for event in events {
            switch event {
            case .detected(let type):
                stats.detected[type]?.incShared()
                // Envoy's deprecated per-type totals count detections, enforced or not.
                if type == .successRate { stats.ejectionsSuccessRate.incShared() }
                if type == .consecutive5xx { stats.ejectionsConsecutive5xx.incShared() }
            case .ejected(let id, let type):
                if type == .consecutive5xx || type == .successRate { stats.ejectionsTotal.incShared() }
                stats.ejectionsEnforcedTotal.incShared()
                stats.enforced[type]?.incShared()
                if hosts[id]?.setHealthFlag(.failedOutlierCheck, true) == true { changed = true }
            case .notEnforced(let type):
                if type == .consecutive5xx || type == .successRate { stats.ejectionsTotal.incShared() }
            case .overflow:
                stats.ejectionsOverflow.incShared()
            case .unejected(let id):
                hosts[id]?.outlier?.resetConsecutive(nil)
                if hosts[id]?.setHealthFlag(.failedOutlierCheck, false) == true { changed = true }
            }
        }
        stats.ejectionsActive.set(Int64(machine.ejectionsActive))
        if changed { healthChanged() }
    }
}

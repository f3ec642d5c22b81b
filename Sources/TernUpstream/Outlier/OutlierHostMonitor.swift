import Synchronization

/// One host's outlier counters, fed from the data path of every worker (Envoy's
/// `DetectorHostMonitorImpl`). Relaxed atomics only: reporting a result never takes a lock and
/// never decides an ejection. When a consecutive counter reaches its threshold, the host is
/// reported to the cluster's `OutlierDetector`, which decides on its control loop.
public final class OutlierHostMonitor: Sendable {
    private let config: OutlierDetectionConfig
    /// Weak: the detector belongs to the cluster manager's entry; a report that arrives after
    /// the cluster was replaced or removed goes nowhere.
    private weak let detector: OutlierDetector?
    private let consecutive5xx = Atomic<UInt32>(0)
    private let consecutiveGatewayFailure = Atomic<UInt32>(0)
    private let consecutiveLocalOriginFailure = Atomic<UInt32>(0)
    // The current interval's outcomes; the detector takes and zeroes them at each sweep.
    private let externalTotal = Atomic<UInt64>(0)
    private let externalSuccess = Atomic<UInt64>(0)
    private let localTotal = Atomic<UInt64>(0)
    private let localSuccess = Atomic<UInt64>(0)

    init(config: OutlierDetectionConfig, detector: OutlierDetector) {
        self.config = config
        self.detector = detector
    }

    /// An upstream HTTP response status (or a status Tern made up for a local failure when
    /// local and external origins are not split).
    public func putHTTPStatus(_ code: Int) {
        externalTotal.add(1, ordering: .relaxed)
        guard code >= 500 && code < 600 else {
            externalSuccess.add(1, ordering: .relaxed)
            consecutive5xx.store(0, ordering: .relaxed)
            consecutiveGatewayFailure.store(0, ordering: .relaxed)
            return
        }
        if code == 502 || code == 503 || code == 504 {
            if consecutiveGatewayFailure.add(1, ordering: .relaxed).newValue == UInt32(config.consecutiveGatewayFailure) {
                detector?.tripped(self, .consecutiveGatewayFailure)
            }
        } else {
            consecutiveGatewayFailure.store(0, ordering: .relaxed)
        }
        if consecutive5xx.add(1, ordering: .relaxed).newValue == UInt32(config.consecutive5xx) {
            detector?.tripped(self, .consecutive5xx)
        }
    }

    /// A connection-level or non-HTTP outcome, mapped as Envoy's `putResult`.
    public func putResult(_ result: OutlierResult) {
        if config.splitExternalLocalOriginErrors {
            switch result {
            case .localOriginConnectSuccess, .localOriginConnectSuccessFinal:
                localTotal.add(1, ordering: .relaxed)
                localSuccess.add(1, ordering: .relaxed)
                consecutiveLocalOriginFailure.store(0, ordering: .relaxed)
            case .localOriginConnectFailed, .localOriginTimeout:
                localTotal.add(1, ordering: .relaxed)
                if consecutiveLocalOriginFailure.add(1, ordering: .relaxed).newValue
                    == UInt32(config.consecutiveLocalOriginFailure) {
                    detector?.tripped(self, .consecutiveLocalOriginFailure)
                }
            case .externalOriginRequestFailed: putHTTPStatus(500)
            case .externalOriginRequestSuccess: putHTTPStatus(200)
            }
            return
        }
        // Not split: local failures look like the 5xx a gateway would answer with.
        switch result {
        case .localOriginConnectSuccess: break
        case .localOriginConnectSuccessFinal, .externalOriginRequestSuccess: putHTTPStatus(200)
        case .localOriginTimeout: putHTTPStatus(504)
        case .localOriginConnectFailed: putHTTPStatus(503)
        case .externalOriginRequestFailed: putHTTPStatus(500)
        }
    }

    /// Takes this interval's outcomes and starts the next interval from zero.
    func takeSample() -> OutlierSample {
        OutlierSample(externalTotal: externalTotal.exchange(0, ordering: .relaxed),
                      externalSuccess: externalSuccess.exchange(0, ordering: .relaxed),
                      localTotal: localTotal.exchange(0, ordering: .relaxed),
                      localSuccess: localSuccess.exchange(0, ordering: .relaxed))
    }

    /// Restarts the consecutive count of `type` (after an ejection attempt) or of every type
    /// (after an unejection, so a host is not re-ejected on a few new errors).
    func resetConsecutive(_ type: OutlierEjectionType?) {
        if type == nil || type == .consecutive5xx { consecutive5xx.store(0, ordering: .relaxed) }
        if type == nil || type == .consecutiveGatewayFailure { consecutiveGatewayFailure.store(0, ordering: .relaxed) }
        if type == nil || type == .consecutiveLocalOriginFailure { consecutiveLocalOriginFailure.store(0, ordering: .relaxed) }
    }
}

import TernCore

/// Envoy's `cluster.<name>.outlier_detection.*` stats.
public final class OutlierDetectionStats: Sendable {
    public let ejectionsEnforcedTotal: Counter
    public let ejectionsActive: Gauge
    public let ejectionsOverflow: Counter
    /// Deprecated in Envoy but still emitted: consecutive 5xx and success-rate ejections allowed by
    /// `max_ejection_percent`, enforced or not.
    public let ejectionsTotal: Counter
    /// Deprecated in Envoy: success-rate outliers detected.
    public let ejectionsSuccessRate: Counter
    /// Deprecated in Envoy: consecutive 5xx ejections enforced.
    public let ejectionsConsecutive5xx: Counter
    public let enforced: [OutlierEjectionType: Counter]
    public let detected: [OutlierEjectionType: Counter]

    public init(root: StatScope, statName: String) {
        let s = root.scope("cluster.", tag: "envoy_cluster_name", value: statName).scope("outlier_detection.")
        ejectionsEnforcedTotal = s.counter("ejections_enforced_total")
        ejectionsActive = s.gauge("ejections_active")
        ejectionsOverflow = s.counter("ejections_overflow")
        ejectionsTotal = s.counter("ejections_total")
        ejectionsSuccessRate = s.counter("ejections_success_rate")
        ejectionsConsecutive5xx = s.counter("ejections_consecutive_5xx")
        var enforced: [OutlierEjectionType: Counter] = [:]
        var detected: [OutlierEjectionType: Counter] = [:]
        for type in OutlierEjectionType.allCases {
            enforced[type] = s.counter("ejections_enforced_\(type.statSuffix)")
            detected[type] = s.counter("ejections_detected_\(type.statSuffix)")
        }
        self.enforced = enforced
        self.detected = detected
    }
}
